using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Shape of a triplet-loss launch: 3·Triplets embedding rows of width Dim (anchors, positives, negatives).</summary>
public readonly struct TripletShape
{
    public readonly int Triplets, Dim;
    public readonly float Margin, Eps;
    public readonly WorkSplit Work;

    public TripletShape(int triplets, int dim, float margin, float eps, WorkSplit work)
    {
        Triplets = triplets; Dim = dim; Margin = margin; Eps = eps; Work = work;
    }
}

/// <summary>
/// Triplet loss forward and backward in one launch (twin of <see cref="Reference.TripletLoss"/>). Units are
/// triplets: a block per thread in <c>*Blocked</c> (CPU accelerator), else one per work-item; a triplet owns its
/// three rows of dEmb, so no two units write the same element.
/// </summary>
public static class TripletLoss
{
    /// <summary>
    /// loss[t] = max(d(a,p) − d(a,n) + margin, 0), d = sqrt(max(Σ (x − y)², eps)); where the hinge is active
    /// dA = ((a−p)/d(a,p) − (a−n)/d(a,n))/T, dP = −(a−p)/(d(a,p)·T), dN = (a−n)/(d(a,n)·T) (clamped terms zero), else 0;
    /// dEmb overwritten. A block of triplets per thread.
    /// </summary>
    public static void ForwardBackwardBlocked(Index1D thread, ArrayView<float> emb, ArrayView<float> loss, ArrayView<float> dEmb, TripletShape s)
    {
        for (int t = s.Work.Begin(thread), end = s.Work.End(thread); t < end; t++) At(t, emb, loss, dEmb, s);
    }

    /// <summary>As <see cref="ForwardBackwardBlocked"/>, one triplet per work-item.</summary>
    public static void ForwardBackward(Index1D t, ArrayView<float> emb, ArrayView<float> loss, ArrayView<float> dEmb, TripletShape s) =>
        At(t, emb, loss, dEmb, s);

    static void At(int t, ArrayView<float> emb, ArrayView<float> loss, ArrayView<float> dEmb, TripletShape s)
    {
        int a = t * s.Dim, p = (s.Triplets + t) * s.Dim, n = (2 * s.Triplets + t) * s.Dim;
        float sumP = 0f, sumN = 0f;
        for (int k = 0; k < s.Dim; k++)
        {
            float x = emb[a + k];
            float dp = x - emb[p + k], dn = x - emb[n + k];
            sumP += dp * dp;
            sumN += dn * dn;
        }
        float dap = MathF.Sqrt(sumP > s.Eps ? sumP : s.Eps), dan = MathF.Sqrt(sumN > s.Eps ? sumN : s.Eps);
        float h = dap - dan + s.Margin;
        bool active = h > 0f;
        loss[t] = active ? h : 0f;
        float sp = !active || sumP < s.Eps ? 0f : 1f / (dap * s.Triplets);
        float sn = !active || sumN < s.Eps ? 0f : 1f / (dan * s.Triplets);
        for (int k = 0; k < s.Dim; k++)
        {
            float x = emb[a + k];
            float gp = sp * (x - emb[p + k]), gn = sn * (x - emb[n + k]);
            dEmb[a + k] = gp - gn;
            dEmb[p + k] = -gp;
            dEmb[n + k] = gn;
        }
    }
}

/// <summary>The triplet-loss kernel a plan launches: blocked, or one work-item per triplet.</summary>
public sealed record TripletLossKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TripletShape> ForwardBackward) : IKernelFamily
{
    public static TripletLossKernels For(KernelPlan p) =>
        new(p.Units == UnitMapping.Blocked ? TripletLoss.ForwardBackwardBlocked : TripletLoss.ForwardBackward);

    public IEnumerable<Delegate?> Kernels => [ForwardBackward];

    public IKernelFamily Load(IKernelLoader l) => new TripletLossKernels(l.Load(ForwardBackward));
}
