using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

/// <summary>TAR at a false-accept rate, the threshold at a FAR, and identification's miss rate at a fixed FPIR.</summary>
public class OperatingPointTests
{
    [Test]
    public void HandWorkedFarPointAndOmittedLevels()
    {
        // Four same pairs at 0.1, 0.2, 0.3, 0.9; a hundred different pairs from 0.25 up: FAR 0.01 admits the nearest one.
        var distances = new List<float> { 0.1f, 0.2f, 0.3f, 0.9f };
        var labels = new List<int> { 0, 0, 0, 0 };
        for (int i = 0; i < 100; i++) { distances.Add(0.25f + i * 0.01f); labels.Add(1); }
        var curve = Roc.Curve(distances.ToArray(), labels.ToArray());
        var point = Roc.AtFar(curve, 0.01);
        Assert.That(point.Threshold, Is.EqualTo((double)0.25f));
        Assert.That(point.TruePositiveRate, Is.EqualTo(0.5));
        Assert.That(Roc.AtFar(curve, 0.0).Threshold, Is.EqualTo((double)0.2f), "FAR 0: below every different pair");
        var points = Roc.OperatingPoints(curve, negatives: 100);
        Assert.That(points, Has.Count.EqualTo(1), "1e-3 and 1e-4 need 1,000 and 10,000 different pairs");
        Assert.That(points[0], Is.EqualTo(new OperatingPoint(0.01, 0.25f, 0.5)));
        Assert.That(Roc.OperatingPoints(curve, negatives: 999), Has.Count.EqualTo(1));
        Assert.That(Roc.OperatingPoints(curve, negatives: 1000), Has.Count.EqualTo(2));
        Assert.That(Roc.OperatingPoints(curve, negatives: 99), Is.Empty);
    }

    [TestCase(1, 3000, 50)]
    [TestCase(2, 20000, 100000)]
    [TestCase(3, 12000, 3)]
    public void FarThresholdIsTheLargestWithinTheRate(int seed, int n, int levels)
    {
        var rng = new Random(seed);
        var e = new float[n];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.Next(2);
            e[i] = (rng.Next(levels) + (y[i] == 1 ? levels / 3 : 0)) / (float)levels;
        }
        var curve = Roc.Curve(e, y);
        int negatives = y.Count(l => l == 1), positives = n - negatives;
        foreach (double far in new[] { 1e-2, 1e-3, 1e-4, 0.3 })
        {
            double t = Roc.AtFar(curve, far).Threshold;
            long fpAt = Enumerable.Range(0, n).Count(i => y[i] == 1 && e[i] <= t);
            Assert.That((double)fpAt / negatives, Is.LessThanOrEqualTo(far), $"FAR {far}");
            // The next larger distance would admit more than the rate allows.
            var above = Enumerable.Range(0, n).Where(i => e[i] > t).Select(i => e[i]).DefaultIfEmpty(float.NaN).Min();
            if (!float.IsNaN(above))
                Assert.That((double)Enumerable.Range(0, n).Count(i => y[i] == 1 && e[i] <= above) / negatives, Is.GreaterThan(far), $"FAR {far}");
            double tar = (double)Enumerable.Range(0, n).Count(i => y[i] == 0 && e[i] <= t) / positives;
            Assert.That(Roc.AtFar(curve, far).TruePositiveRate, Is.EqualTo(tar).Within(1e-12));
        }
    }

    [Test]
    public void FarOutsideItsRangeIsRefused()
    {
        var curve = Roc.Curve([0.1f, 0.2f], [0, 1]);
        Assert.Throws<ArgumentException>(() => Roc.AtFar(curve, 1));
        Assert.Throws<ArgumentException>(() => Roc.AtFar(curve, -0.1));
    }

    [Test]
    public void OpenSetMissRateHandWorked()
    {
        // 1-D gallery: class 0 at 0, class 1 at 10. 48 class-0 probes at 1 and 50 class-1 probes at 9 are easy; probe A
        // (class 0 at 6) ranks class 1 first, a miss; probe B (class 0 at 4) is right. Non-mated scores: A's 4, B's 6,
        // then 9s: FPIR 0.01 of 100 searches admits one, so "accepted" means nearer than 6 and only A is missed.
        float[] gallery = [0, 10];
        int[] galleryLabels = [0, 1];
        var probes = new List<float>();
        var labels = new List<int>();
        for (int i = 0; i < 48; i++) { probes.Add(1); labels.Add(0); }
        probes.Add(6); labels.Add(0);
        probes.Add(4); labels.Add(0);
        for (int i = 0; i < 50; i++) { probes.Add(9); labels.Add(1); }
        double miss = Identification.OpenSetMissRate(gallery, galleryLabels, probes.ToArray(), labels.ToArray(), 1, 1e-12);
        Assert.That(miss, Is.EqualTo(0.01).Within(1e-12));
        Assert.That(Identification.OpenSetMissRate(gallery, galleryLabels, probes.ToArray(), labels.ToArray(), 1, 1e-12, fpir: 0.001),
            Is.NaN, "100 probes cannot measure FPIR 0.001");
        probes.RemoveAt(probes.Count - 1); labels.RemoveAt(labels.Count - 1);
        Assert.That(Identification.OpenSetMissRate(gallery, galleryLabels, probes.ToArray(), labels.ToArray(), 1, 1e-12), Is.NaN,
            "99 probes cannot measure FPIR 0.01");
    }
}
