using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Arguments of a weight-decay launch: the fraction rate = lr·λ each parameter shrinks by.</summary>
public readonly struct DecayArgs
{
    public readonly float Rate;
    public readonly WorkSplit Work;

    public DecayArgs(float rate, WorkSplit work)
    {
        Rate = rate; Work = work;
    }
}

/// <summary>
/// Decoupled weight decay in place (twin of <see cref="Reference.WeightDecay"/>). Units are parameters: a block per
/// thread in <c>*Blocked</c> (the CPU accelerator), else one per work-item.
/// </summary>
public static class WeightDecay
{
    /// <summary>p[k] ← p[k] − rate·p[k], a block of parameters per thread.</summary>
    public static void ApplyBlocked(Index1D thread, ArrayView<float> p, DecayArgs a)
    {
        for (int k = a.Work.Begin(thread), end = a.Work.End(thread); k < end; k++) p[k] -= a.Rate * p[k];
    }

    /// <summary>p[k] ← p[k] − rate·p[k], one parameter per work-item.</summary>
    public static void Apply(Index1D k, ArrayView<float> p, DecayArgs a) => p[k] -= a.Rate * p[k];
}

/// <summary>The weight-decay kernel a plan launches: blocked, or one work-item per element.</summary>
public sealed record WeightDecayKernels(Action<Index1D, ArrayView<float>, DecayArgs> Apply) : IKernelFamily
{
    public static WeightDecayKernels For(KernelPlan p) => new(p.Units == UnitMapping.Blocked ? WeightDecay.ApplyBlocked : WeightDecay.Apply);

    public IEnumerable<Delegate?> Kernels => [Apply];

    public IKernelFamily Load(IKernelLoader l) => new WeightDecayKernels(l.Load(Apply));
}
