namespace GpuSiamese.Model;

/// <summary>One operating point: "same digit" is predicted when E ≤ <see cref="Threshold"/>.</summary>
public readonly record struct RocPoint(double Threshold, double FalsePositiveRate, double TruePositiveRate);

/// <summary>
/// The face-verification operating point at false-accept rate <see cref="Far"/>: the largest threshold whose FPR is at
/// most <see cref="Far"/>, and the TAR (true-accept rate, TPR) there.
/// </summary>
public readonly record struct OperatingPoint(double Far,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(Runs.NullWhenNotFinite))] double Threshold, double Tar);

/// <summary>What a scored pair set says about a model (positive class = same digit, label 0).</summary>
public sealed record PairMetrics(
    int Positives,
    int Negatives,
    double Auc,
    double YoudenThreshold,
    double YoudenJ,
    double YoudenAccuracy,
    double EqualErrorRate,
    double EerThreshold);

/// <summary>
/// ROC analysis of pair distances with "same digit" (label 0) as the positive class and score −E:
/// a pair is predicted "same" when E ≤ t. Everything is exact on the given distances, in double precision.
/// </summary>
public static class Roc
{
    /// <summary>
    /// AUC = U / (P·N), Mann–Whitney: U = Σ over (positive, negative) pairs of [E⁺ &lt; E⁻] + ½·[E⁺ = E⁻].
    /// Sorting once makes it O(n log n).
    /// </summary>
    public static double Auc(ReadOnlySpan<float> distances, ReadOnlySpan<int> labels)
    {
        var (order, positives, negatives) = Sort(distances, labels);
        double u = 0;
        long tpBefore = 0;
        foreach (var (_, tp, fp) in Groups(distances, labels, order))
        {
            u += fp * (tpBefore + tp / 2.0);
            tpBefore += tp;
        }
        return u / ((double)positives * negatives);
    }

    /// <summary>
    /// The ROC from (0,0) (threshold −∞: nothing predicted same) through one point per distinct distance,
    /// ascending, to (1,1).
    /// </summary>
    public static IReadOnlyList<RocPoint> Curve(ReadOnlySpan<float> distances, ReadOnlySpan<int> labels)
    {
        var (order, positives, negatives) = Sort(distances, labels);
        var points = new List<RocPoint> { new(double.NegativeInfinity, 0, 0) };
        long tp = 0, fp = 0;
        foreach (var (threshold, gtp, gfp) in Groups(distances, labels, order))
        {
            tp += gtp;
            fp += gfp;
            points.Add(new RocPoint(threshold, (double)fp / negatives, (double)tp / positives));
        }
        return points;
    }

    /// <summary>
    /// AUC; the point maximising Youden's J = TPR − FPR (the smallest such threshold) and the accuracy there, or,
    /// when no threshold gives J &gt; 0 (nothing separates the classes), threshold −∞ (every pair called different);
    /// the equal error rate, where FPR = 1 − TPR, linearly interpolated between the two ROC points around it.
    /// </summary>
    public static PairMetrics Analyze(ReadOnlySpan<float> distances, ReadOnlySpan<int> labels)
    {
        var curve = Curve(distances, labels);
        int positives = 0;
        foreach (int l in labels) if (l == 0) positives++;
        int negatives = labels.Length - positives;

        // Rates are ratios of counts: compare J = tp/P − fp/N exactly as tp·N − fp·P, so equal J ties go to the smaller threshold.
        int best = 0;
        long bestScore = 0;
        for (int k = 1; k < curve.Count; k++)
        {
            long tp = (long)Math.Round(curve[k].TruePositiveRate * positives), fp = (long)Math.Round(curve[k].FalsePositiveRate * negatives);
            long score = tp * negatives - fp * positives;
            if (score > bestScore) { best = k; bestScore = score; }
        }
        var y = curve[best];
        double youdenAccuracy = (y.TruePositiveRate * positives + (1 - y.FalsePositiveRate) * negatives) / labels.Length;

        double eer = 0, eerThreshold = curve[^1].Threshold;
        for (int k = 1; k < curve.Count; k++)
        {
            double d1 = curve[k].FalsePositiveRate - (1 - curve[k].TruePositiveRate);
            if (d1 < 0) continue;
            var a = curve[k - 1];
            var b = curve[k];
            double d0 = a.FalsePositiveRate - (1 - a.TruePositiveRate);
            // d0 < 0 ≤ d1: point k − 1 was passed over (or is the first point, (0,0), where d = −1), so d1 − d0 > 0.
            // Interpolating as (1 − α)·a + α·b gives b itself when d1 = 0 (α = 1) and a itself when d0 = 0.
            double alpha = -d0 / (d1 - d0);
            eer = (1 - alpha) * a.FalsePositiveRate + alpha * b.FalsePositiveRate;
            eerThreshold = double.IsNegativeInfinity(a.Threshold) ? b.Threshold : (1 - alpha) * a.Threshold + alpha * b.Threshold;
            break;
        }

        return new PairMetrics(positives, negatives, Auc(distances, labels), y.Threshold,
            y.TruePositiveRate - y.FalsePositiveRate, youdenAccuracy, eer, eerThreshold);
    }

    /// <summary>The false-accept rates train and eval report TAR at (the face-verification convention).</summary>
    public static IReadOnlyList<double> StandardFars { get; } = [1e-2, 1e-3, 1e-4];

    /// <summary>Fewest different-class pairs that can measure a false-accept rate of <paramref name="far"/>: ⌈1/FAR⌉.</summary>
    public static long NegativesNeededFor(double far) => (long)Math.Ceiling(1 / far - 1e-9);

    /// <summary>
    /// The point of <paramref name="curve"/> (ascending, from <see cref="Curve"/>) with the largest threshold whose
    /// FPR ≤ <paramref name="far"/>: the operating threshold at that false-accept rate (−∞ when even the smallest
    /// distance of a different-class pair is shared with too many of them).
    /// </summary>
    public static RocPoint AtFar(IReadOnlyList<RocPoint> curve, double far)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (!(far is >= 0 and < 1)) throw new ArgumentException($"a false-accept rate must be in [0, 1), got {far}", nameof(far));
        int k = 0;
        // FPR is non-decreasing along the curve; compare with a relative slack so 20/2000 counts as ≤ 0.01.
        while (k + 1 < curve.Count && curve[k + 1].FalsePositiveRate <= far * (1 + 1e-12)) k++;
        return curve[k];
    }

    /// <summary>
    /// TAR at each of <see cref="StandardFars"/>, leaving out a level with fewer than 1/FAR different-class pairs
    /// (<paramref name="negatives"/>), where no rate that small can be measured.
    /// </summary>
    public static IReadOnlyList<OperatingPoint> OperatingPoints(IReadOnlyList<RocPoint> curve, int negatives)
    {
        var points = new List<OperatingPoint>();
        foreach (double far in StandardFars)
        {
            if (negatives < NegativesNeededFor(far)) continue;
            var p = AtFar(curve, far);
            points.Add(new OperatingPoint(far, p.Threshold, p.TruePositiveRate));
        }
        return points;
    }

    /// <summary>Fraction of pairs classified right by "same when E ≤ t".</summary>
    public static double AccuracyAt(ReadOnlySpan<float> distances, ReadOnlySpan<int> labels, double threshold)
    {
        CheckShapes(distances, labels);
        if (distances.Length == 0) throw new ArgumentException("no pairs to score", nameof(distances));
        long correct = 0;
        for (int i = 0; i < distances.Length; i++)
            if (Verdict.Same(distances[i], threshold) == (labels[i] == 0)) correct++;
        return (double)correct / distances.Length;
    }

    static (int[] Order, int Positives, int Negatives) Sort(ReadOnlySpan<float> distances, ReadOnlySpan<int> labels)
    {
        CheckShapes(distances, labels);
        int positives = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != 0 && labels[i] != 1)
                throw new ArgumentException($"pair labels must be 0 (same) or 1 (different), found {labels[i]} at {i}", nameof(labels));
            if (float.IsNaN(distances[i]))
                throw new ArgumentException($"distance of pair {i} is NaN", nameof(distances));
            if (labels[i] == 0) positives++;
        }
        int negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
            throw new ArgumentException($"a ROC needs both same and different pairs, got {positives} same and {negatives} different", nameof(labels));
        var order = new int[distances.Length];
        var keys = distances.ToArray();
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(keys, order);
        return (order, positives, negatives);
    }

    /// <summary>Runs of equal distance in ascending order: (distance, positives in the run, negatives in the run).</summary>
    static List<(double Threshold, long Tp, long Fp)> Groups(ReadOnlySpan<float> distances, ReadOnlySpan<int> labels, int[] order)
    {
        var groups = new List<(double, long, long)>();
        int i = 0;
        while (i < order.Length)
        {
            float e = distances[order[i]];
            long tp = 0, fp = 0;
            while (i < order.Length && distances[order[i]] == e)
            {
                if (labels[order[i]] == 0) tp++; else fp++;
                i++;
            }
            groups.Add((e, tp, fp));
        }
        return groups;
    }

    static void CheckShapes(ReadOnlySpan<float> distances, ReadOnlySpan<int> labels)
    {
        if (distances.Length != labels.Length)
            throw new ArgumentException($"{distances.Length} distances but {labels.Length} labels", nameof(labels));
    }
}
