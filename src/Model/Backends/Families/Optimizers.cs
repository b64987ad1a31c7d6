using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// The optimizer steps: Adam, RMSprop, SGD with momentum: the family's operations of IBackend, their checks in
// BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/Optimizers.cs; the reference backend's part: tests/Model/Backends/Families/Optimizers.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.Optimizers.Adam"/>.</summary>
    void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale);

    /// <summary>Reference: <see cref="Kernels.Reference.Optimizers.RmsProp"/>.</summary>
    void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale);

    /// <summary>Reference: <see cref="Kernels.Reference.Optimizers.Sgd"/>.</summary>
    void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale);
}

public static partial class BackendContract
{
    public static void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n, int t)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p)); Holds(g, n, nameof(g)); Holds(m, n, nameof(m)); Holds(v, n, nameof(v));
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Adam's step count starts at 1");
        Apart(p, n, nameof(p), (g, n, nameof(g)), (m, n, nameof(m)), (v, n, nameof(v)));
        Apart(m, n, nameof(m), (g, n, nameof(g)), (v, n, nameof(v)));
        Apart(v, n, nameof(v), (g, n, nameof(g)));
    }

    public static void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p)); Holds(g, n, nameof(g)); Holds(s, n, nameof(s));
        Apart(p, n, nameof(p), (g, n, nameof(g)), (s, n, nameof(s)));
        Apart(s, n, nameof(s), (g, n, nameof(g)));
    }

    public static void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p)); Holds(g, n, nameof(g)); Holds(u, n, nameof(u));
        Apart(p, n, nameof(p), (g, n, nameof(g)), (u, n, nameof(u)));
        Apart(u, n, nameof(u), (g, n, nameof(g)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        BackendContract.AdamStep(p, g, m, v, n, t);
        float* pp = Own(p, nameof(p)).Pointer, gp = Own(g, nameof(g)).Pointer;
        float* mp = Own(m, nameof(m)).Pointer, vp = Own(v, nameof(v)).Pointer;
        var sw = width;
        SplitElements(n, (s, e) => SimdKernels.Optimizers.Adam(sw, pp, gp, mp, vp, s, e, lr, beta1, beta2, eps, t, gradScale), ParallelElementsCostly);
    }

    public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale)
    {
        BackendContract.RmsPropStep(p, g, s, n);
        float* pp = Own(p, nameof(p)).Pointer, gp = Own(g, nameof(g)).Pointer, sp = Own(s, nameof(s)).Pointer;
        var sw = width;
        SplitElements(n, (a, e) => SimdKernels.Optimizers.RmsProp(sw, pp, gp, sp, a, e, lr, rho, eps, gradScale), ParallelElementsCostly);
    }

    public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        BackendContract.SgdStep(p, g, u, n);
        float* pp = Own(p, nameof(p)).Pointer, gp = Own(g, nameof(g)).Pointer, up = Own(u, nameof(u)).Pointer;
        var sw = width;
        SplitElements(n, (s, e) => SimdKernels.Optimizers.Sgd(sw, pp, gp, up, s, e, lr, momentum, nesterov, gradScale));
    }
}

public sealed partial class IlgpuBackend
{
    public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        BackendContract.AdamStep(p, g, m, v, n, t);
        // Bias corrections in double on the host, as the reference computes them.
        float c1 = (float)(1 - Math.Pow(beta1, t)), c2 = (float)(1 - Math.Pow(beta2, t));
        var a = new AdamArgs(lr, beta1, beta2, eps, c1, c2, gradScale, rt.Plan.Split(n));
        if (n == 0) return;
        K<OptimizerKernels>().Adam(a.Work.Threads, Of(p).View, Of(g).View, Of(m).View, Of(v).View, a);
    }

    public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale)
    {
        BackendContract.RmsPropStep(p, g, s, n);
        var a = new StepArgs(lr, rho, eps, gradScale, 0, rt.Plan.Split(n));
        if (n == 0) return;
        K<OptimizerKernels>().RmsProp(a.Work.Threads, Of(p).View, Of(g).View, Of(s).View, a);
    }

    public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        BackendContract.SgdStep(p, g, u, n);
        var a = new StepArgs(lr, momentum, 0f, gradScale, nesterov ? 1 : 0, rt.Plan.Split(n));
        if (n == 0) return;
        K<OptimizerKernels>().Sgd(a.Work.Threads, Of(p).View, Of(g).View, Of(u).View, a);
    }
}
