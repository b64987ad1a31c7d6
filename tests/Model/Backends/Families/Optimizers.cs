using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// The optimizer steps: Adam, RMSprop, SGD with momentum: the reference backend's part (double precision) and the
// delegating backend's.

public sealed partial class ReferenceBackend
{
    public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        BackendContract.AdamStep(p, g, m, v, n, t);
        double[] pd = D(p, n), md = D(m, n), vd = D(v, n);
        Ref.Optimizers.Adam(pd, D(g, n), md, vd, n, lr, beta1, beta2, eps, t, gradScale);
        Put(p, pd); Put(m, md); Put(v, vd);
    }

    public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale)
    {
        BackendContract.RmsPropStep(p, g, s, n);
        double[] pd = D(p, n), sd = D(s, n);
        Ref.Optimizers.RmsProp(pd, D(g, n), sd, n, lr, rho, eps, gradScale);
        Put(p, pd); Put(s, sd);
    }

    public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        BackendContract.SgdStep(p, g, u, n);
        double[] pd = D(p, n), ud = D(u, n);
        Ref.Optimizers.Sgd(pd, D(g, n), ud, n, lr, momentum, nesterov, gradScale);
        Put(p, pd); Put(u, ud);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n, float lr, float beta1, float beta2, float eps, int t, float gradScale) =>
        inner.AdamStep(p, g, m, v, n, lr, beta1, beta2, eps, t, gradScale);

    public virtual void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n, float lr, float rho, float eps, float gradScale) =>
        inner.RmsPropStep(p, g, s, n, lr, rho, eps, gradScale);

    public virtual void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n, float lr, float momentum, bool nesterov, float gradScale) =>
        inner.SgdStep(p, g, u, n, lr, momentum, nesterov, gradScale);
}
