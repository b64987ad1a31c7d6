using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Which loss and its parameter (Q for the bounded loss, m for the margin loss), over Count pairs.</summary>
public readonly struct LossShape
{
    /// <summary>0 = bounded (Chopra 2005), 1 = margin (Hadsell 2006).</summary>
    public readonly int Kind;
    public readonly float Parameter;
    public readonly int Count;
    public readonly WorkSplit Work;

    public LossShape(int kind, float parameter, int count, WorkSplit work)
    {
        Kind = kind; Parameter = parameter; Count = count; Work = work;
    }
}

/// <summary>
/// Pair losses on distances, forward and backward in one launch (twin of <see cref="Reference.ContrastiveLoss"/>);
/// label 0 = same digit, 1 = different. Units are pairs: a block per thread in <c>*Blocked</c> (CPU accelerator), else one per work-item.
/// </summary>
public static class ContrastiveLoss
{
    /// <summary>
    /// A block of pairs per thread. Bounded: loss = (1−Y)·(2/Q)·E² + Y·2Q·exp(−2.77·E/Q), dDist = ((1−Y)·(4/Q)·E − Y·2·2.77·exp(−2.77·E/Q)) / Count.
    /// Margin: loss = (1−Y)·E² + Y·max(m − E, 0)², dDist = ((1−Y)·2E − Y·2·max(m − E, 0)) / Count.
    /// </summary>
    public static void ForwardBackwardBlocked(Index1D thread, ArrayView<float> dist, ArrayView<int> labels, ArrayView<float> loss,
        ArrayView<float> dDist, LossShape s)
    {
        for (int p = s.Work.Begin(thread), end = s.Work.End(thread); p < end; p++) At(p, dist, labels, loss, dDist, s);
    }

    /// <summary>As <see cref="ForwardBackwardBlocked"/>, one pair per work-item.</summary>
    public static void ForwardBackward(Index1D p, ArrayView<float> dist, ArrayView<int> labels, ArrayView<float> loss,
        ArrayView<float> dDist, LossShape s) => At(p, dist, labels, loss, dDist, s);

    static void At(int p, ArrayView<float> dist, ArrayView<int> labels, ArrayView<float> loss, ArrayView<float> dDist, LossShape s)
    {
        const float c = (float)Reference.ContrastiveLoss.ExpConstant;
        float q = s.Parameter, inv = 1f / s.Count;
        float e = dist[p];
        bool same = labels[p] == 0;
        float l, g;
        if (s.Kind == 0)
        {
            if (same) { l = 2f / q * e * e; g = 4f / q * e; }
            else
            {
                float x = MathF.Exp(-c * e / q);
                l = 2f * q * x; g = -2f * c * x;
            }
        }
        else
        {
            float h = q - e > 0f ? q - e : 0f;
            if (same) { l = e * e; g = 2f * e; }
            else { l = h * h; g = -2f * h; }
        }
        loss[p] = l;
        dDist[p] = g * inv;
    }
}

/// <summary>The contrastive-loss kernel a plan launches: blocked, or one work-item per pair.</summary>
public sealed record ContrastiveLossKernels(
    Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, LossShape> ForwardBackward) : IKernelFamily
{
    public static ContrastiveLossKernels For(KernelPlan p) =>
        new(p.Units == UnitMapping.Blocked ? ContrastiveLoss.ForwardBackwardBlocked : ContrastiveLoss.ForwardBackward);

    public IEnumerable<Delegate?> Kernels => [ForwardBackward];

    public IKernelFamily Load(IKernelLoader l) => new ContrastiveLossKernels(l.Load(ForwardBackward));
}
