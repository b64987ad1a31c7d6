using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Adam's hyper-parameters for one step; C1 = 1 − β1ᵗ and C2 = 1 − β2ᵗ are computed on the host.</summary>
public readonly struct AdamArgs
{
    public readonly float Lr, Beta1, Beta2, Eps, C1, C2, GradScale;
    public readonly WorkSplit Work;

    public AdamArgs(float lr, float beta1, float beta2, float eps, float c1, float c2, float gradScale, WorkSplit work)
    {
        Lr = lr; Beta1 = beta1; Beta2 = beta2; Eps = eps; C1 = c1; C2 = c2; GradScale = gradScale; Work = work;
    }
}

/// <summary>Hyper-parameters of an RMSprop step (Momentum = ρ) or an SGD step (Momentum = μ, Nesterov 0/1).</summary>
public readonly struct StepArgs
{
    public readonly float Lr, Momentum, Eps, GradScale;
    public readonly int Nesterov;
    public readonly WorkSplit Work;

    public StepArgs(float lr, float momentum, float eps, float gradScale, int nesterov, WorkSplit work)
    {
        Lr = lr; Momentum = momentum; Eps = eps; GradScale = gradScale; Nesterov = nesterov; Work = work;
    }
}

/// <summary>Optimizer steps over a flat parameter vector (twin of <see cref="Reference.Optimizers"/>); units are parameters.</summary>
public static class Optimizers
{
    /// <summary>g' = g·gradScale; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²; p −= lr·(m/C1) / (sqrt(v/C2) + eps); a block per thread.</summary>
    public static void AdamBlocked(Index1D thread, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamArgs a)
    {
        for (int k = a.Work.Begin(thread), end = a.Work.End(thread); k < end; k++) AdamAt(k, p, g, m, v, a);
    }

    /// <summary>As <see cref="AdamBlocked"/>, one parameter per work-item.</summary>
    public static void Adam(Index1D k, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamArgs a) =>
        AdamAt(k, p, g, m, v, a);

    static void AdamAt(int k, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamArgs a)
    {
        float gk = g[k] * a.GradScale;
        float mk = a.Beta1 * m[k] + (1f - a.Beta1) * gk;
        float vk = a.Beta2 * v[k] + (1f - a.Beta2) * gk * gk;
        m[k] = mk;
        v[k] = vk;
        p[k] -= a.Lr * (mk / a.C1) / (MathF.Sqrt(vk / a.C2) + a.Eps);
    }

    /// <summary>g' = g·gradScale; s = ρ·s + (1−ρ)·g'²; p −= lr·g' / (sqrt(s) + eps); a block per thread.</summary>
    public static void RmsPropBlocked(Index1D thread, ArrayView<float> p, ArrayView<float> g, ArrayView<float> s, StepArgs a)
    {
        for (int k = a.Work.Begin(thread), end = a.Work.End(thread); k < end; k++) RmsPropAt(k, p, g, s, a);
    }

    /// <summary>As <see cref="RmsPropBlocked"/>, one parameter per work-item.</summary>
    public static void RmsProp(Index1D k, ArrayView<float> p, ArrayView<float> g, ArrayView<float> s, StepArgs a) => RmsPropAt(k, p, g, s, a);

    static void RmsPropAt(int k, ArrayView<float> p, ArrayView<float> g, ArrayView<float> s, StepArgs a)
    {
        float gk = g[k] * a.GradScale;
        float sk = a.Momentum * s[k] + (1f - a.Momentum) * gk * gk;
        s[k] = sk;
        p[k] -= a.Lr * gk / (MathF.Sqrt(sk) + a.Eps);
    }

    /// <summary>g' = g·gradScale; u = μ·u + g'; p −= lr·u, or with Nesterov p −= lr·(g' + μ·u); a block per thread.</summary>
    public static void SgdBlocked(Index1D thread, ArrayView<float> p, ArrayView<float> g, ArrayView<float> u, StepArgs a)
    {
        for (int k = a.Work.Begin(thread), end = a.Work.End(thread); k < end; k++) SgdAt(k, p, g, u, a);
    }

    /// <summary>As <see cref="SgdBlocked"/>, one parameter per work-item.</summary>
    public static void Sgd(Index1D k, ArrayView<float> p, ArrayView<float> g, ArrayView<float> u, StepArgs a) => SgdAt(k, p, g, u, a);

    static void SgdAt(int k, ArrayView<float> p, ArrayView<float> g, ArrayView<float> u, StepArgs a)
    {
        float gk = g[k] * a.GradScale;
        float uk = a.Momentum * u[k] + gk;
        u[k] = uk;
        p[k] -= a.Lr * (a.Nesterov != 0 ? gk + a.Momentum * uk : uk);
    }
}

/// <summary>The optimizer kernels a plan launches: blocked, or one work-item per parameter.</summary>
public sealed record OptimizerKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs> Adam,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepArgs> RmsProp,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepArgs> Sgd) : IKernelFamily
{
    public static OptimizerKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(Optimizers.AdamBlocked, Optimizers.RmsPropBlocked, Optimizers.SgdBlocked)
        : new(Optimizers.Adam, Optimizers.RmsProp, Optimizers.Sgd);

    public IEnumerable<Delegate?> Kernels => [Adam, RmsProp, Sgd];

    public IKernelFamily Load(IKernelLoader l) => new OptimizerKernels(l.Load(Adam), l.Load(RmsProp), l.Load(Sgd));
}
