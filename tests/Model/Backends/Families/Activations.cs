using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Element-wise activations as a layer of their own: the reference backend's part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void ActivationForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, Activation act)
    {
        BackendContract.ActivationForward(x, y, n);
        var yd = new double[n];
        Ref.Activations.Forward(D(x, n), yd, n, act);
        Put(y, yd);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void ActivationForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, Activation act) =>
        Inner.ActivationForward(x, y, n, act);
}
