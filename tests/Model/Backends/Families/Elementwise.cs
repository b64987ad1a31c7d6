using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Element-wise sums and copies: the reference backend's part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, int n)
    {
        BackendContract.Add(a, b, y, n);
        var yd = new double[n];
        Ref.Elementwise.Add(D(a, n), D(b, n), yd, n);
        Put(y, yd);
    }

    public void Accumulate(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        BackendContract.Accumulate(src, dst, n);
        var d = D(dst, n);
        Ref.Elementwise.Accumulate(D(src, n), d, n);
        Put(dst, d);
    }

    public void Copy(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        BackendContract.Copy(src, dst, n);
        var d = new double[n];
        Ref.Elementwise.Copy(D(src, n), d, n);
        Put(dst, d);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, int n) => Inner.Add(a, b, y, n);

    public virtual void Accumulate(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n) => Inner.Accumulate(src, dst, n);

    public virtual void Copy(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n) => Inner.Copy(src, dst, n);
}
