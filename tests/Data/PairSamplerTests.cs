using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class PairSamplerTests
{
    /// <summary>Runs the sampler for many batches and checks every rule of SPEC §2 after every batch.</summary>
    [TestCase(64, 10_000)]
    [TestCase(7, 10_000)]
    [TestCase(33, 10_000)]
    [TestCase(1, 2_000)]
    public void EveryBatchKeepsTheBalanceRules(int batch, int batches)
    {
        var set = SyntheticSets.WithCounts(30, 31, 5, 40, 12, 9, 2, 17, 25, 33);
        var sampler = new PairSampler(set, new Rng(123));
        var left = new int[batch];
        var right = new int[batch];
        var labels = new int[batch];
        var positives = new long[10];
        var negatives = new long[45];
        var orientation = new long[10, 10];
        long totalPositive = 0, totalNegative = 0;
        for (int t = 0; t < batches; t++)
        {
            sampler.NextBatch(left, right, labels);
            int pos = labels.Count(l => l == 0);
            Assert.That(pos, Is.EqualTo(batch / 2).Or.EqualTo(batch / 2 + batch % 2), "half positive, half negative");
            for (int i = 0; i < batch; i++)
            {
                int a = set.Labels[left[i]], b = set.Labels[right[i]];
                if (labels[i] == 0)
                {
                    if (a != b)
                        Assert.Fail($"batch {t} pair {i}: a positive pair of digits {a} and {b}");
                    if (left[i] == right[i])
                        Assert.Fail($"batch {t} pair {i}: a positive pair uses image {left[i]} twice");
                    positives[a]++;
                    totalPositive++;
                }
                else
                {
                    if (labels[i] != 1 || a == b)
                        Assert.Fail($"batch {t} pair {i}: label {labels[i]}, digits {a} and {b}; expected a negative pair of two digits");
                    negatives[DigitPairs.IndexOf(a, b)]++;
                    orientation[a, b]++;
                    totalNegative++;
                }
            }
            if (positives.Max() - positives.Min() > 1)
                Assert.Fail($"after batch {t} per-digit positive counts spread {positives.Min()}..{positives.Max()}");
            if (totalNegative > 0 && negatives.Max() - negatives.Min() > 1)
                Assert.Fail($"after batch {t} per-pair negative counts spread {negatives.Min()}..{negatives.Max()}");
            if (Math.Abs(totalPositive - totalNegative) > 1)
                Assert.Fail($"after batch {t} {totalPositive} positives against {totalNegative} negatives");
        }
        long perPair = totalNegative / 45;
        for (int a = 0; a < 10; a++)
            for (int b = a + 1; b < 10; b++)
                Assert.That(orientation[a, b] + orientation[b, a], Is.GreaterThanOrEqualTo(perPair));
        if (perPair >= 100)
            for (int a = 0; a < 10; a++)
                for (int b = 0; b < 10; b++)
                    if (a != b)
                        Assert.That(orientation[a, b] / (double)perPair, Is.EqualTo(0.5).Within(0.2), $"sides of {{{a},{b}}} are random");
    }

    [Test]
    public void ImagesAreUniformWithinTheirDigit()
    {
        var set = SyntheticSets.Uniform(6);
        var sampler = new PairSampler(set, new Rng(5));
        var uses = new int[set.Count];
        var left = new int[64];
        var right = new int[64];
        var labels = new int[64];
        for (int t = 0; t < 3000; t++)
        {
            sampler.NextBatch(left, right, labels);
            foreach (int i in left) uses[i]++;
            foreach (int i in right) uses[i]++;
        }
        // Each image is one of 6 in its digit, and each digit gets a tenth of all 384,000 image draws.
        double expected = 2.0 * 64 * 3000 / set.Count;
        double sigma = Math.Sqrt(expected);
        foreach (int u in uses)
            Assert.That(u, Is.EqualTo(expected).Within(6 * sigma));
    }

    [Test]
    public void SameSeedSameBatchesOtherSeedOtherBatches()
    {
        var set = SyntheticSets.Uniform(20);
        Assert.That(Run(new PairSampler(set, new Rng(9)), 50, 33), Is.EqualTo(Run(new PairSampler(set, new Rng(9)), 50, 33)));
        Assert.That(Run(new PairSampler(set, new Rng(10)), 50, 33), Is.Not.EqualTo(Run(new PairSampler(set, new Rng(9)), 50, 33)));
    }

    [TestCase(64)]
    [TestCase(7)]
    public void RestoredStateContinuesIdentically(int batch)
    {
        var set = SyntheticSets.Uniform(20);
        var original = new PairSampler(set, new Rng(77));
        Run(original, 101, batch);
        var state = original.GetState();
        var expected = Run(original, 60, batch);

        var resumed = new PairSampler(set, new Rng(999)); // a different seed: everything must come from the state
        Run(resumed, 3, batch);
        resumed.Restore(state);
        Assert.That(Run(resumed, 60, batch), Is.EqualTo(expected));
    }

    [Test]
    public void ARefusedStateChangesNothing()
    {
        // A state whose digit cycle is fine but whose digit-pair cycle is not: every part is checked before any is
        // taken, so the sampler goes on exactly as if Restore had not been called.
        var set = SyntheticSets.Uniform(6);
        var sampler = new PairSampler(set, new Rng(3));
        Run(sampler, 2, 8);
        var other = new PairSampler(set, new Rng(40));
        Run(other, 3, 9);
        var bad = other.GetState() with { PairOrder = [.. Enumerable.Repeat(0, 45)] };
        var twin = new PairSampler(set, new Rng(3));
        Run(twin, 2, 8);
        var e = Assert.Throws<ArgumentException>(() => sampler.Restore(bad));
        Assert.That(e!.Message, Is.EqualTo("sampler state: digit-pair cycle is not a permutation of 0..44"));
        Assert.That(Run(sampler, 5, 8), Is.EqualTo(Run(twin, 5, 8)));
        Assert.That(Assert.Throws<ArgumentException>(() => sampler.Restore(bad with { PositiveMinusNegative = -2 }))!.Message,
            Is.EqualTo("sampler state: positive-minus-negative balance -2, expected -1, 0 or 1"));
        Assert.That(Assert.Throws<ArgumentException>(() => sampler.Restore(other.GetState() with { DigitOrder = [0, 1] }))!.Message,
            Is.EqualTo("sampler state: digit cycle has the wrong length or position"));
        Assert.Throws<ArgumentNullException>(() => sampler.Restore(null!));
        Assert.Throws<ArgumentNullException>(() => new PairSampler((int[][])null!, new Rng(1)));
    }

    [Test]
    public void RestoreRefusesAStateThatIsNotOne()
    {
        var set = SyntheticSets.Uniform(5);
        var sampler = new PairSampler(set, new Rng(1));
        var good = sampler.GetState();
        Assert.Throws<ArgumentException>(() => sampler.Restore(good with { DigitOrder = [0, 1, 2] }));
        Assert.Throws<ArgumentException>(() => sampler.Restore(good with { PairOrder = [.. Enumerable.Repeat(0, 45)] }));
        Assert.Throws<ArgumentException>(() => sampler.Restore(good with { PositiveMinusNegative = 5 }));
        Assert.Throws<ArgumentException>(() => sampler.Restore(good with { Rng = [0, 0, 0, 0] }));
    }

    [Test]
    public void ADigitWithFewerThanTwoImagesIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new PairSampler(SyntheticSets.WithCounts(5, 5, 5, 1, 5, 5, 5, 5, 5, 5), new Rng(1)));
        Assert.That(e!.Message, Does.Contain("class 3"));
    }

    [Test]
    public void SpansOfDifferentLengthsAreRefused()
    {
        var sampler = new PairSampler(SyntheticSets.Uniform(5), new Rng(1));
        var e = Assert.Throws<ArgumentException>(() => sampler.NextBatch(new int[4], new int[4], new int[3]));
        Assert.That(e!.Message, Is.EqualTo("left, right and labels must have one length, got 4, 4, 3"));
    }

    [Test]
    public void AnOddBatchGivesItsExtraPairToPositivesOnATieAndToWhicheverKindIsBehind()
    {
        // Batches of 7 from a fresh sampler: a tie (0), so 4 positives and 3 negatives; then positives lead by 1, so
        // 3 and 4; then a tie again. Batches of 6 never move the balance. Batches of 1 alternate: 1 ahead gives a
        // negative (0 positives), the tie after it a positive, which leaves positives 1 ahead.
        var sampler = new PairSampler(SyntheticSets.Uniform(5), new Rng(3));
        int Positives(int batch)
        {
            int[] l = new int[batch], r = new int[batch], y = new int[batch];
            sampler.NextBatch(l, r, y);
            Assert.That(y.Take(y.Count(v => v == PairSampler.Same)), Is.All.EqualTo(PairSampler.Same), "positives first");
            return y.Count(v => v == PairSampler.Same);
        }
        Assert.That(new[] { Positives(7), Positives(7), Positives(6), Positives(7), Positives(1), Positives(1) },
            Is.EqualTo(new[] { 4, 3, 3, 4, 0, 1 }));
        Assert.That(sampler.GetState().PositiveMinusNegative, Is.EqualTo(1));
    }

    [Test]
    public void AStateTakenBeforeTheFirstBatchRestores()
    {
        // A fresh sampler's cycles sit at their end (the first draw shuffles): cursor = length is a valid position, and
        // the order must be a permutation even before any draw (a batch of 1 leaves the pair cycle untouched, and a
        // checkpoint taken then must resume).
        var set = SyntheticSets.Uniform(5);
        var fresh = new PairSampler(set, new Rng(21)).GetState();
        Assert.That(fresh.DigitCursor, Is.EqualTo(fresh.DigitOrder.Length));
        var resumed = new PairSampler(set, new Rng(1));
        Run(resumed, 2, 9);
        resumed.Restore(fresh);
        Assert.That(Run(resumed, 5, 9), Is.EqualTo(Run(new PairSampler(set, new Rng(21)), 5, 9)));
        Assert.Throws<ArgumentException>(() => resumed.Restore(fresh with { DigitCursor = fresh.DigitOrder.Length + 1 }));
        Assert.Throws<ArgumentException>(() => resumed.Restore(fresh with { PairCursor = -1 }));
    }

    static List<int> Run(PairSampler sampler, int batches, int batch)
    {
        var all = new List<int>();
        var left = new int[batch];
        var right = new int[batch];
        var labels = new int[batch];
        for (int t = 0; t < batches; t++)
        {
            sampler.NextBatch(left, right, labels);
            all.AddRange(left);
            all.AddRange(right);
            all.AddRange(labels);
        }
        return all;
    }
}
