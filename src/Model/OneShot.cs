using System.Text.Json.Serialization;
using GpuSiamese.Data;

namespace GpuSiamese.Model;

/// <summary>Mean success of the one-shot trials and its 95% confidence interval (normal approximation).</summary>
public sealed record OneShotResult(int Ways, int Trials, double Accuracy,
    [property: JsonPropertyName("ci_low")] double Low, [property: JsonPropertyName("ci_high")] double High);

/// <summary>
/// One-shot N-way accuracy (Koch, Zemel, Salakhutdinov 2015): a query image is compared with N candidates of
/// N distinct digits, one of them its own digit (a different image); the trial succeeds when that candidate is
/// the nearest. A tie for nearest counts 1/k among the k tied. Chance is 1/N.
/// </summary>
public static class OneShot
{
    /// <summary>
    /// Runs <paramref name="trials"/> seeded trials over <paramref name="set"/> (every digit needs two images).
    /// CI = mean ± 1.96·s/√trials with s the sample standard deviation of the per-trial scores.
    /// </summary>
    public static OneShotResult Evaluate(Evaluator evaluator, ImageSet set, int ways, int trials, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rng);
        if (ways < 2 || ways > 10) throw new ArgumentException($"--ways must be between 2 and 10, got {ways}", nameof(ways));
        if (trials < 1) throw new ArgumentException($"--trials must be at least 1, got {trials}", nameof(trials));
        var byDigit = set.IndicesByDigit();
        for (int d = 0; d < 10; d++)
            if (byDigit[d].Length < 2)
                throw new ArgumentException($"one-shot trials need at least two images of every digit; digit {d} has {byDigit[d].Length}", nameof(set));

        var embeddings = evaluator.Embed(set);
        return Evaluate(embeddings, evaluator.Network.Config.OutputWidth, byDigit, ways, trials, rng, evaluator.DistanceEpsilon);
    }

    /// <summary>
    /// The same trials over embeddings of K classes: <paramref name="byClass"/>[c] lists the rows of class c; the classes
    /// with at least two images take part (seen or unseen classes alone: pass only theirs). For MNIST's ten digits this is
    /// <see cref="Evaluate(Evaluator, ImageSet, int, int, Rng)"/>, draw for draw.
    /// </summary>
    public static OneShotResult Evaluate(ReadOnlySpan<float> embeddings, int dim, int[][] byClass, int ways, int trials, Rng rng, double eps)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(rng);
        var classes = Enumerable.Range(0, byClass.Length).Where(c => byClass[c].Length >= 2).ToArray();
        int k = classes.Length;
        if (ways < 2 || ways > k) throw new ArgumentException($"{ways}-way one-shot trials need between 2 and {k} classes of two or more images", nameof(ways));
        if (trials < 1) throw new ArgumentException($"--trials must be at least 1, got {trials}", nameof(trials));
        var slots = new int[k];
        var candidates = new int[ways];
        double sum = 0, sumSquares = 0;
        for (int t = 0; t < trials; t++)
        {
            int ownSlot = rng.NextInt(k);
            var ownImages = byClass[classes[ownSlot]];
            int query = ownImages[rng.NextInt(ownImages.Length)];
            int match;
            do match = ownImages[rng.NextInt(ownImages.Length)]; while (match == query);

            // The other N−1 classes: a shuffled draw from the K−1 that are not the query's.
            for (int d = 0; d < k; d++) slots[d] = d;
            (slots[ownSlot], slots[k - 1]) = (slots[k - 1], slots[ownSlot]);
            rng.Shuffle(slots.AsSpan(0, k - 1));
            candidates[0] = match;
            for (int c = 1; c < ways; c++)
            {
                var images = byClass[classes[slots[c - 1]]];
                candidates[c] = images[rng.NextInt(images.Length)];
            }

            double ownDistance = EmbeddingDistance.Between(embeddings, dim, query, match, eps);
            int closer = 0, tied = 1;
            for (int c = 1; c < ways; c++)
            {
                double d = EmbeddingDistance.Between(embeddings, dim, query, candidates[c], eps);
                if (d < ownDistance) closer++;
                else if (d == ownDistance) tied++;
            }
            double score = closer > 0 ? 0 : 1.0 / tied;
            sum += score;
            sumSquares += score * score;
        }
        double mean = sum / trials;
        double variance = trials > 1 ? Math.Max(0, (sumSquares - trials * mean * mean) / (trials - 1)) : 0;
        double half = 1.96 * Math.Sqrt(variance / trials);
        return new OneShotResult(ways, trials, mean, Math.Max(0, mean - half), Math.Min(1, mean + half));
    }
}
