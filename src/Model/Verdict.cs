namespace GpuSiamese.Model;

/// <summary>
/// The one place that says which way a score points: today the score is the distance E, so a pair is "same" when
/// E ≤ threshold and a nearer gallery entry ranks first. Every verdict and ranking (compare, identification, the
/// gallery, the ROC's accuracy) asks here, so a head whose higher score means "same" changes this file only.
/// </summary>
public static class Verdict
{
    /// <summary>Whether <paramref name="score"/> is on the "same" side of <paramref name="threshold"/>.</summary>
    public static bool Same(double score, double threshold) => score <= threshold;

    /// <summary>Whether <paramref name="score"/> ranks before <paramref name="other"/> (strictly: the earlier entry keeps a tie).</summary>
    public static bool Before(double score, double other) => score < other;

    /// <summary>The score that ranks after every other (what "no match yet" starts from).</summary>
    public const double Worst = double.PositiveInfinity;
}
