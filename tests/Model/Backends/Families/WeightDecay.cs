using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Decoupled weight decay in place: the reference backend's part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void WeightDecay(DeviceBuffer<float> p, int n, float rate)
    {
        BackendContract.WeightDecay(p, n);
        var d = D(p, n);
        Ref.WeightDecay.Apply(d, n, rate);
        Put(p, d);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void WeightDecay(DeviceBuffer<float> p, int n, float rate) => inner.WeightDecay(p, n, rate);
}
