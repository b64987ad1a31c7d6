using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Inverted dropout in place, its mask a counter-based hash: the reference backend's part (double precision) and the
// delegating backend's.

public sealed partial class ReferenceBackend
{
    public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step)
    {
        BackendContract.Dropout(x, n, p);
        var d = D(x, n);
        Ref.Dropout.Forward(d, n, p, key, step);
        Put(x, d);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step) => inner.Dropout(x, n, p, key, step);
}
