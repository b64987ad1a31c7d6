using GpuSiamese.Model.Runs;

namespace GpuSiamese.Host.Plots;

/// <summary>One misjudged pair: its two 14x14 images and its distance.</summary>
public sealed record ErrorExample(float[] Left, float[] Right, double Distance);

/// <summary>Picks the worst errors at a threshold ("same" when E_w ≤ t).</summary>
public static class ErrorExamples
{
    /// <summary>
    /// False accepts: different-digit pairs with E_w ≤ t, smallest distance first. False rejects: same-digit pairs with
    /// E_w &gt; t, largest first. At most <paramref name="count"/> of each.
    /// </summary>
    public static (List<ErrorExample> FalseAccepts, List<ErrorExample> FalseRejects) Worst(
        PairScores scores, double threshold, int count)
    {
        if (scores.Images is null) return ([], []);
        var indices = Enumerable.Range(0, scores.Labels.Length);
        var accepts = indices.Where(i => scores.Labels[i] == 1 && scores.Distances[i] <= threshold)
            .OrderBy(i => scores.Distances[i]).Take(count);
        var rejects = indices.Where(i => scores.Labels[i] == 0 && scores.Distances[i] > threshold)
            .OrderByDescending(i => scores.Distances[i]).Take(count);
        return (accepts.Select(i => Example(scores, i)).ToList(), rejects.Select(i => Example(scores, i)).ToList());
    }

    static ErrorExample Example(PairScores scores, int i)
    {
        var images = scores.Images!(i);
        return new ErrorExample(images.Left, images.Right, scores.Distances[i]);
    }
}
