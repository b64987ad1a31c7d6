using GpuSiamese.Data;

namespace GpuSiamese.Model;

/// <summary>
/// What the model does on one set of classes (all, the seen ones, or the held-out unseen ones): verification on the
/// scaled balanced pair protocol (<see cref="BalancedPairSet.CreateScaled"/>; null when the classes cannot give both
/// same-class and different-class pairs, e.g. a single held-out class), N-way one-shot (Koch's protocol: queries
/// and candidates from these classes only; null when fewer than two classes have two images or no trials are asked for), and retrieval.
/// </summary>
public sealed record ClassSetMetrics(
    int Classes,
    int Images,
    string PairProtocol,
    PairMetrics? Verification,
    OneShotResult? OneShot,
    RetrievalMetrics Retrieval);

public static class ClassSetEvaluation
{
    /// <summary>
    /// Evaluates the images whose embeddings (row-major, <paramref name="dim"/> wide) and class labels are given. The pair
    /// set, then the one-shot trials draw from <paramref name="rng"/>; ways is lowered to the classes available.
    /// </summary>
    public static ClassSetMetrics Evaluate(ReadOnlySpan<float> embeddings, int dim, int[] labels, int classCount,
        int ways, int trials, Rng rng, double eps)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rng);
        var byClass = ClassIndex.Group(labels, classCount);
        var pairs = BalancedPairSet.CreateScaled(byClass, rng, out string protocol);
        var distances = new float[pairs.Count];
        for (int p = 0; p < pairs.Count; p++)
            distances[p] = (float)EmbeddingDistance.Between(embeddings, dim, pairs.Left[p], pairs.Right[p], eps);
        var verification = pairs.HasBothKinds ? Roc.Analyze(distances, pairs.Labels) : null;
        int eligible = byClass.Count(c => c.Length >= 2);
        var oneShot = eligible >= 2 && trials > 0 ? OneShot.Evaluate(embeddings, dim, byClass, Math.Min(ways, eligible), trials, rng, eps) : null;
        var retrieval = Retrieval.Evaluate(embeddings, dim, labels, eps);
        return new ClassSetMetrics(byClass.Count(c => c.Length > 0), labels.Length, protocol, verification, oneShot, retrieval);
    }
}
