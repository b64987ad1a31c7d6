using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Shape of a pair-distance launch: 2·Pairs embedding rows of width Dim (left rows first).</summary>
public readonly struct PairShape
{
    public readonly int Pairs, Dim;
    public readonly float Eps;
    public readonly WorkSplit Work;

    public PairShape(int pairs, int dim, float eps, WorkSplit work)
    {
        Pairs = pairs; Dim = dim; Eps = eps; Work = work;
    }
}

/// <summary>Euclidean distance of each pair and its gradient (twin of <see cref="Reference.PairDistance"/>); units are pairs, a block per thread in <c>*Blocked</c> (CPU accelerator), else one per work-item.</summary>
public static class PairDistance
{
    /// <summary>E[p] = sqrt(max(Σ_k (a_k − b_k)², eps)), a = row p, b = row Pairs+p; a block of pairs per thread.</summary>
    public static void ForwardBlocked(Index1D thread, ArrayView<float> emb, ArrayView<float> dist, PairShape s)
    {
        for (int p = s.Work.Begin(thread), end = s.Work.End(thread); p < end; p++) ForwardAt(p, emb, dist, s);
    }

    /// <summary>E[p] = sqrt(max(Σ_k (a_k − b_k)², eps)), one pair per work-item.</summary>
    public static void Forward(Index1D p, ArrayView<float> emb, ArrayView<float> dist, PairShape s) => ForwardAt(p, emb, dist, s);

    /// <summary>dA_k = dE·(a_k − b_k)/E, dB_k = −dA_k (dEmb overwritten); zero where Σ (a−b)² &lt; eps; a block of pairs per thread.</summary>
    public static void BackwardBlocked(Index1D thread, ArrayView<float> emb, ArrayView<float> dist, ArrayView<float> dDist,
        ArrayView<float> dEmb, PairShape s)
    {
        for (int p = s.Work.Begin(thread), end = s.Work.End(thread); p < end; p++) BackwardAt(p, emb, dist, dDist, dEmb, s);
    }

    /// <summary>dA_k = dE·(a_k − b_k)/E, dB_k = −dA_k (dEmb overwritten); zero where Σ (a−b)² &lt; eps; one pair per work-item.</summary>
    public static void Backward(Index1D p, ArrayView<float> emb, ArrayView<float> dist, ArrayView<float> dDist,
        ArrayView<float> dEmb, PairShape s) => BackwardAt(p, emb, dist, dDist, dEmb, s);

    static void ForwardAt(int p, ArrayView<float> emb, ArrayView<float> dist, PairShape s)
    {
        float sum = SquaredSum(emb, p, s);
        dist[p] = MathF.Sqrt(sum > s.Eps ? sum : s.Eps);
    }

    static void BackwardAt(int p, ArrayView<float> emb, ArrayView<float> dist, ArrayView<float> dDist, ArrayView<float> dEmb, PairShape s)
    {
        float sum = SquaredSum(emb, p, s);
        float scale = sum < s.Eps ? 0f : dDist[p] / dist[p];
        int a = p * s.Dim, b = (s.Pairs + p) * s.Dim;
        for (int k = 0; k < s.Dim; k++)
        {
            float g = scale * (emb[a + k] - emb[b + k]);
            dEmb[a + k] = g;
            dEmb[b + k] = -g;
        }
    }

    static float SquaredSum(ArrayView<float> emb, int p, PairShape s)
    {
        int a = p * s.Dim, b = (s.Pairs + p) * s.Dim;
        float sum = 0;
        for (int k = 0; k < s.Dim; k++)
        {
            float d = emb[a + k] - emb[b + k];
            sum += d * d;
        }
        return sum;
    }
}

/// <summary>The pair-distance kernels a plan launches: blocked, or one work-item per pair.</summary>
public sealed record PairDistanceKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, PairShape> Forward,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PairShape> Backward) : IKernelFamily
{
    public static PairDistanceKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(PairDistance.ForwardBlocked, PairDistance.BackwardBlocked)
        : new(PairDistance.Forward, PairDistance.Backward);

    public IEnumerable<Delegate?> Kernels => [Forward, Backward];

    public IKernelFamily Load(IKernelLoader l) => new PairDistanceKernels(l.Load(Forward), l.Load(Backward));
}
