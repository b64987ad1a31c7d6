using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

/// <summary>ROC analysis against brute-force and hand-worked cases.</summary>
public class RocTests
{
    /// <summary>O(P·N) Mann–Whitney: every (same, different) pair, 1 when the same pair is closer, ½ on a tie.</summary>
    static double BruteForceAuc(float[] e, int[] y)
    {
        double u = 0;
        long pairs = 0;
        for (int i = 0; i < e.Length; i++)
            if (y[i] == 0)
                for (int j = 0; j < e.Length; j++)
                    if (y[j] == 1)
                    {
                        u += e[i] < e[j] ? 1 : e[i] == e[j] ? 0.5 : 0;
                        pairs++;
                    }
        return u / pairs;
    }

    [TestCase(1, 50, 10)]
    [TestCase(2, 500, 7)]
    [TestCase(3, 1000, 1000000)]
    [TestCase(4, 333, 2)]
    public void AucMatchesBruteForceWithTies(int seed, int n, int levels)
    {
        var rng = new Random(seed);
        var y = new int[n];
        var e = new float[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.Next(2);
            // Few levels force many ties; same pairs lean closer so the AUC is far from ½.
            e[i] = (float)Math.Round((rng.NextDouble() + (y[i] == 1 ? 0.3 : 0)) * levels) / levels;
        }
        y[0] = 0; y[1] = 1;
        Assert.That(Roc.Auc(e, y), Is.EqualTo(BruteForceAuc(e, y)).Within(1e-12));
    }

    [Test]
    public void HandWorkedCurveYoudenAndEer()
    {
        // Sorted by distance: 0.1 S, 0.2 S, 0.3 D, 0.4 S, 0.5 D, 0.6 D  (S = same, label 0).
        float[] e = [0.4f, 0.1f, 0.6f, 0.2f, 0.5f, 0.3f];
        int[] y = [0, 0, 1, 0, 1, 1];
        var curve = Roc.Curve(e, y);
        double[] fpr = [0, 0, 0, 1 / 3.0, 1 / 3.0, 2 / 3.0, 1];
        double[] tpr = [0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1, 1];
        Assert.That(curve, Has.Count.EqualTo(7));
        for (int k = 0; k < 7; k++)
        {
            Assert.That(curve[k].FalsePositiveRate, Is.EqualTo(fpr[k]).Within(1e-12), $"FPR {k}");
            Assert.That(curve[k].TruePositiveRate, Is.EqualTo(tpr[k]).Within(1e-12), $"TPR {k}");
        }
        var m = Roc.Analyze(e, y);
        // U counts, for each different pair, the same pairs closer: 0.3 → 2, 0.5 → 3, 0.6 → 3; 8 of 9.
        Assert.That(m.Auc, Is.EqualTo(8 / 9.0).Within(1e-12));
        // J = 2/3 at t = 0.2 and at t = 0.4; the smaller threshold wins.
        Assert.That(m.YoudenJ, Is.EqualTo(2 / 3.0).Within(1e-12));
        Assert.That(m.YoudenThreshold, Is.EqualTo(0.2f));
        Assert.That(m.YoudenAccuracy, Is.EqualTo(5 / 6.0).Within(1e-12));
        // FNR − FPR changes sign at t = 0.3 (FPR 1/3, FNR 1/3): exactly equal there, so that point itself, not a
        // rounding of a + 1·(b − a), is the answer.
        Assert.That(m.EqualErrorRate, Is.EqualTo(1 / 3.0));
        Assert.That(m.EerThreshold, Is.EqualTo((double)0.3f));
        Assert.That(m.Positives, Is.EqualTo(3));
        Assert.That(m.Negatives, Is.EqualTo(3));
    }

    [Test]
    public void EerIsInterpolatedBetweenPoints()
    {
        // Sorted: 1 S, 2 D, 3 S, 4 D. Points (FPR, FNR): (0,1) (0,.5) (.5,.5) (.5,0) (1,0).
        // FPR − FNR: −1, −.5, 0 → the crossing is the point t = 2 itself, EER = 0.5.
        float[] e = [1, 2, 3, 4];
        int[] y = [0, 1, 0, 1];
        var m = Roc.Analyze(e, y);
        Assert.That(m.EqualErrorRate, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.Auc, Is.EqualTo(0.75).Within(1e-12));

        // Sorted: 1 S, 2 S, 3 D, 4 S, 5 D, 6 D, 7 D with 3 same and 4 different.
        // At t=3: FPR .25, FNR 1/3 (d = −1/12); at t=4: FPR .25, FNR 0 (d = .25): α = (1/12)/(1/3) = .25,
        // EER = .25 and threshold 3.25.
        float[] e2 = [1, 2, 3, 4, 5, 6, 7];
        int[] y2 = [0, 0, 1, 0, 1, 1, 1];
        var m2 = Roc.Analyze(e2, y2);
        Assert.That(m2.EqualErrorRate, Is.EqualTo(0.25).Within(1e-12));
        Assert.That(m2.EerThreshold, Is.EqualTo(3.25).Within(1e-12));
        // Youden: tp·N − fp·P at t = 1, 2, 3, 4, 5 is 4, 8, 5, 9, 6: the best is t = 4, J = 1 − ¼, accuracy (3 + 3)/7.
        Assert.That((m2.Positives, m2.Negatives), Is.EqualTo((3, 4)));
        Assert.That(m2.YoudenThreshold, Is.EqualTo(4.0));
        Assert.That(m2.YoudenJ, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(m2.YoudenAccuracy, Is.EqualTo(6 / 7.0).Within(1e-12));

        // The same pairs at twice the distances: α is the same ¼ of a step that is now 2 wide, threshold 6 + ½.
        var m3 = Roc.Analyze(e2.Select(x => 2 * x).ToArray(), y2);
        Assert.That(m3.EerThreshold, Is.EqualTo(6.5).Within(1e-12));
        Assert.That(m3.EqualErrorRate, Is.EqualTo(0.25).Within(1e-12));
    }

    [Test]
    public void PerfectAndInvertedSeparation()
    {
        float[] e = [0.1f, 0.2f, 0.9f, 1.0f];
        Assert.That(Roc.Auc(e, [0, 0, 1, 1]), Is.EqualTo(1.0));
        Assert.That(Roc.Auc(e, [1, 1, 0, 0]), Is.EqualTo(0.0));
        Assert.That(Roc.Auc([0.5f, 0.5f, 0.5f], [0, 1, 0]), Is.EqualTo(0.5));
        var m = Roc.Analyze(e, [0, 0, 1, 1]);
        Assert.That(m.YoudenAccuracy, Is.EqualTo(1.0));
        Assert.That(m.EqualErrorRate, Is.EqualTo(0.0));
    }

    [Test]
    public void AccuracyAtThresholdCountsSameWhenAtOrBelow()
    {
        float[] e = [0.5f, 1.0f, 1.5f, 2.0f];
        int[] y = [0, 0, 1, 0];
        Assert.That(Roc.AccuracyAt(e, y, 1.0), Is.EqualTo(0.75));
        Assert.That(Roc.AccuracyAt(e, y, 2.0), Is.EqualTo(0.75));
        Assert.That(Roc.AccuracyAt(e, y, 0.1), Is.EqualTo(0.25));
    }

    [Test]
    public void YoudenAccuracyEqualsAccuracyAtItsThreshold()
    {
        var rng = new Random(9);
        var y = Enumerable.Range(0, 400).Select(i => i % 2).ToArray();
        var e = y.Select(l => (float)(rng.NextDouble() + 0.4 * l)).ToArray();
        var m = Roc.Analyze(e, y);
        Assert.That(Roc.AccuracyAt(e, y, m.YoudenThreshold), Is.EqualTo(m.YoudenAccuracy).Within(1e-12));
        double bestJ = Roc.Curve(e, y).Max(p => p.TruePositiveRate - p.FalsePositiveRate);
        Assert.That(m.YoudenJ, Is.EqualTo(bestJ));
    }

    [Test]
    public void EerAtTheFirstPointTakesThatPointsThreshold()
    {
        // Sorted: 1 D, 2 S. Points (FPR, FNR): (0, 1) at −∞, (1, 1) at t = 1, (1, 0) at t = 2. FPR − FNR is −1 at −∞
        // and 0 at t = 1: the crossing is the first point after −∞, so α = 1/(0 + 1) = 1, EER = 0 + 1·(1 − 0) = 1, and
        // the threshold is t = 1 itself (interpolating from −∞ would give −∞). Nothing separates: J ≤ 0 everywhere
        // (J = 0 − 1 at t = 1, 1 − 1 at t = 2), so the Youden point stays at −∞ with J = 0, accuracy = N/(P+N) = ½.
        var m = Roc.Analyze([1f, 2f], [1, 0]);
        Assert.That(m.EqualErrorRate, Is.EqualTo(1.0));
        Assert.That(m.EerThreshold, Is.EqualTo(1.0));
        Assert.That(m.YoudenThreshold, Is.EqualTo(double.NegativeInfinity));
        Assert.That(m.YoudenJ, Is.EqualTo(0.0));
        Assert.That(m.YoudenAccuracy, Is.EqualTo(0.5));
        Assert.That(m.Auc, Is.EqualTo(0.0));
        Assert.That((m.Positives, m.Negatives), Is.EqualTo((1, 1)));
    }

    [Test]
    public void CurveStartsAtMinusInfinityAndCountsTiesAsOnePoint()
    {
        // Sorted: 1 S, 1 D, 2 S, 3 D: the two pairs at E = 1 are one point (TPR ½, FPR ½), then (1, ½) at 2, (1, 1) at 3.
        var curve = Roc.Curve([2f, 1f, 3f, 1f], [0, 0, 1, 1]);
        Assert.That(curve.Select(p => (p.Threshold, p.FalsePositiveRate, p.TruePositiveRate)), Is.EqualTo(new[]
        {
            (double.NegativeInfinity, 0.0, 0.0), (1.0, 0.5, 0.5), (2.0, 0.5, 1.0), (3.0, 1.0, 1.0),
        }));
        // U: the different pair at 1 ties with the same pair at 1 (½) and the one at 3 has both same pairs closer (2): 2.5/4.
        Assert.That(Roc.Auc([2f, 1f, 3f, 1f], [0, 0, 1, 1]), Is.EqualTo(2.5 / 4));
    }

    [Test]
    public void AccuracyAtRefusesNoPairsAndMismatchedLengths()
    {
        Assert.That(() => Roc.AccuracyAt([], [], 1.0), Throws.ArgumentException.With.Message.Contains("no pairs to score"));
        Assert.That(() => Roc.AccuracyAt([1f, 2f], [0], 1.0), Throws.ArgumentException.With.Message.Contains("2 distances but 1 labels"));
        Assert.That(() => Roc.Curve([1f], [0, 1]), Throws.ArgumentException.With.Message.Contains("1 distances but 2 labels"));
    }

    [Test]
    public void RefusesOneClassBadLabelsNaNAndMismatchedLengths()
    {
        Assert.That(() => Roc.Auc([1f, 2f], [0, 0]), Throws.ArgumentException.With.Message.Contains("both same and different"));
        Assert.That(() => Roc.Auc([1f, 2f], [0, 2]), Throws.ArgumentException.With.Message.Contains("found 2"));
        Assert.That(() => Roc.Auc([1f, float.NaN], [0, 1]), Throws.ArgumentException.With.Message.Contains("NaN"));
        Assert.That(() => Roc.Auc([1f, 2f], [0]), Throws.ArgumentException.With.Message.Contains("2 distances but 1 labels"));
    }
}
