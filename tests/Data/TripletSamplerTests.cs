using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class TripletSamplerTests
{
    [TestCase(64)]
    [TestCase(13)]
    public void AnchorsAndNegativesAreBalancedAndPositivesAreOtherImages(int batch)
    {
        var set = SyntheticSets.WithCounts(3, 8, 12, 5, 2, 30, 7, 9, 4, 6);
        var sampler = new TripletSampler(set, new Rng(4));
        var anchor = new int[batch];
        var positive = new int[batch];
        var negative = new int[batch];
        var anchors = new long[10];
        var negatives = new long[10, 10];
        for (int t = 0; t < 3000; t++)
        {
            sampler.NextBatch(anchor, positive, negative);
            for (int i = 0; i < batch; i++)
            {
                int d = set.Labels[anchor[i]];
                int n = set.Labels[negative[i]];
                if (set.Labels[positive[i]] != d || positive[i] == anchor[i] || n == d)
                    Assert.Fail($"batch {t} triplet {i}: anchor {anchor[i]} (digit {d}), positive {positive[i]} (digit {set.Labels[positive[i]]}), negative digit {n}");
                anchors[d]++;
                negatives[d, n]++;
            }
            if (anchors.Max() - anchors.Min() > 1)
                Assert.Fail($"after batch {t} anchor digits spread {anchors.Min()}..{anchors.Max()}");
            for (int d = 0; d < 10; d++)
            {
                var counts = Enumerable.Range(0, 10).Where(n => n != d).Select(n => negatives[d, n]).ToArray();
                if (counts.Max() - counts.Min() > 1)
                    Assert.Fail($"after batch {t} negatives of anchor digit {d} spread {counts.Min()}..{counts.Max()}");
            }
        }
    }

    [Test]
    public void DeterministicPerSeed()
    {
        var set = SyntheticSets.Uniform(10);
        int[] Draw(ulong seed)
        {
            var s = new TripletSampler(set, new Rng(seed));
            var a = new int[50]; var p = new int[50]; var n = new int[50];
            s.NextBatch(a, p, n);
            return [.. a, .. p, .. n];
        }
        Assert.That(Draw(3), Is.EqualTo(Draw(3)));
        Assert.That(Draw(3), Is.Not.EqualTo(Draw(4)));
    }

    [Test]
    public void RestoredStateContinuesIdentically()
    {
        var set = SyntheticSets.Uniform(10);
        int[] Draw(TripletSampler s, int n)
        {
            var a = new int[n]; var p = new int[n]; var q = new int[n];
            s.NextBatch(a, p, q);
            return [.. a, .. p, .. q];
        }
        var original = new TripletSampler(set, new Rng(8));
        Draw(original, 37);
        var state = original.GetState();
        var expected = Draw(original, 200);
        var resumed = new TripletSampler(set, new Rng(1234));
        Draw(resumed, 5);
        resumed.Restore(state);
        Assert.That(Draw(resumed, 200), Is.EqualTo(expected));
        Assert.Throws<ArgumentException>(() => resumed.Restore(state with { NegativeCursors = new int[9] }));
        Assert.Throws<ArgumentException>(() => resumed.Restore(state with { AnchorOrder = new int[10] }));
    }

    [Test]
    public void AStateTakenBeforeEveryDigitWasAnAnchorRestores()
    {
        // Three triplets touch the negative cycles of three anchor digits only; the other seven are still fresh
        // (never drawn) and their state must restore too, or a checkpoint after the first small batch cannot resume.
        var set = SyntheticSets.Uniform(10);
        var original = new TripletSampler(set, new Rng(8));
        int[] a = new int[3], p = new int[3], n = new int[3];
        original.NextBatch(a, p, n);
        var state = original.GetState();
        var resumed = new TripletSampler(set, new Rng(1));
        resumed.Restore(state);
        int[] a1 = new int[40], p1 = new int[40], n1 = new int[40], a2 = new int[40], p2 = new int[40], n2 = new int[40];
        original.NextBatch(a1, p1, n1);
        resumed.NextBatch(a2, p2, n2);
        Assert.That((a2, p2, n2), Is.EqualTo((a1, p1, n1)));
        var fresh = new TripletSampler(set, new Rng(5)).GetState();
        Assert.DoesNotThrow(() => resumed.Restore(fresh));
    }

    [Test]
    public void RefusesTooFewImagesAndMismatchedSpans()
    {
        Assert.That(() => new TripletSampler(SyntheticSets.WithCounts(5, 5, 5, 1, 5, 5, 5, 5, 5, 5), new Rng(1)),
            Throws.ArgumentException.With.Message.Contains("1 images of digit 3; triplets need at least 2"));
        var s = new TripletSampler(SyntheticSets.Uniform(3), new Rng(1));
        Assert.That(() => s.NextBatch(new int[2], new int[2], new int[1]), Throws.ArgumentException.With.Message.Contains("got 2, 2, 1"));
        Assert.That(() => s.NextBatch(new int[2], new int[1], new int[2]), Throws.ArgumentException.With.Message.Contains("got 2, 1, 2"));
    }
}
