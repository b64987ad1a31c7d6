using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Arguments of a dropout launch: the mask's key, step and threshold, and the kept units' scale 1/(1 − p).</summary>
public readonly struct DropoutArgs
{
    public readonly ulong Key;
    public readonly long Step;
    public readonly uint Threshold;
    public readonly float Scale;
    public readonly WorkSplit Work;

    public DropoutArgs(ulong key, long step, uint threshold, float scale, WorkSplit work)
    {
        Key = key; Step = step; Threshold = threshold; Scale = scale; Work = work;
    }
}

/// <summary>
/// Inverted dropout in place (twin of <see cref="Reference.Dropout"/>): the same product serves the forward
/// pass (on Y) and the backward pass (on dY). Units are elements: a block per thread in <c>*Blocked</c>, else one per work-item.
/// </summary>
public static class Dropout
{
    /// <summary>x[i] ← x[i]·(Keep(key, step, i) ? 1/(1 − p) : 0), a block of elements per thread.</summary>
    public static void ApplyBlocked(Index1D thread, ArrayView<float> x, DropoutArgs a)
    {
        for (int i = a.Work.Begin(thread), end = a.Work.End(thread); i < end; i++) At(i, x, a);
    }

    /// <summary>x[i] ← x[i]·(Keep(key, step, i) ? 1/(1 − p) : 0), one element per work-item.</summary>
    public static void Apply(Index1D i, ArrayView<float> x, DropoutArgs a) => At(i, x, a);

    static void At(int i, ArrayView<float> x, DropoutArgs a) =>
        x[i] = DropoutMask.Keep(a.Key, a.Step, i, a.Threshold) ? x[i] * a.Scale : 0f;
}

/// <summary>The dropout kernel a plan launches: blocked, or one work-item per element.</summary>
public sealed record DropoutKernels(Action<Index1D, ArrayView<float>, DropoutArgs> Apply) : IKernelFamily
{
    public static DropoutKernels For(KernelPlan p) => new(p.Units == UnitMapping.Blocked ? Dropout.ApplyBlocked : Dropout.Apply);

    public IEnumerable<Delegate?> Kernels => [Apply];

    public IKernelFamily Load(IKernelLoader l) => new DropoutKernels(l.Load(Apply));
}
