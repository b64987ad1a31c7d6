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
            Throws.ArgumentException.With.Message.Contains("1 images of class 3; triplets need at least 2"));
        var s = new TripletSampler(SyntheticSets.Uniform(3), new Rng(1));
        Assert.That(() => s.NextBatch(new int[2], new int[2], new int[1]), Throws.ArgumentException.With.Message.Contains("got 2, 2, 1"));
        Assert.That(() => s.NextBatch(new int[2], new int[1], new int[2]), Throws.ArgumentException.With.Message.Contains("got 2, 1, 2"));
    }

    [Test]
    public void KClassesWithASingletonAndAnEmptyClassStayBalanced()
    {
        // 15 classes: class 3 holds one image (a negative only), class 7 none; the rest 2..9 images.
        var sizes = new[] { 4, 2, 9, 1, 5, 3, 6, 0, 8, 2, 7, 3, 4, 5, 2 };
        var byClass = new int[sizes.Length][];
        int next = 0;
        for (int c = 0; c < sizes.Length; next += sizes[c], c++)
            byClass[c] = Enumerable.Range(next, sizes[c]).ToArray();
        var classOf = new int[next];
        for (int c = 0; c < sizes.Length; c++)
            foreach (int i in byClass[c]) classOf[i] = c;
        var sampler = new TripletSampler(byClass, new Rng(11));
        var a = new int[17]; var p = new int[17]; var n = new int[17];
        var anchors = new long[sizes.Length];
        var negatives = new long[sizes.Length, sizes.Length];
        for (int t = 0; t < 400; t++)
        {
            sampler.NextBatch(a, p, n);
            for (int i = 0; i < a.Length; i++)
            {
                int d = classOf[a[i]];
                Assert.That(classOf[p[i]], Is.EqualTo(d));
                Assert.That(p[i], Is.Not.EqualTo(a[i]));
                Assert.That(classOf[n[i]], Is.Not.EqualTo(d));
                anchors[d]++;
                negatives[d, classOf[n[i]]]++;
            }
        }
        Assert.That(anchors[3], Is.Zero, "a class of one image cannot anchor a triplet");
        Assert.That(anchors[7], Is.Zero);
        var anchoring = Enumerable.Range(0, sizes.Length).Where(c => sizes[c] >= 2).Select(c => anchors[c]).ToArray();
        Assert.That(anchoring.Max() - anchoring.Min(), Is.LessThanOrEqualTo(1));
        for (int d = 0; d < sizes.Length; d++)
        {
            if (sizes[d] < 2) continue;
            var counts = Enumerable.Range(0, sizes.Length).Where(c => c != d && sizes[c] >= 1).Select(c => negatives[d, c]).ToArray();
            Assert.That(counts.Max() - counts.Min(), Is.LessThanOrEqualTo(1), $"negatives of anchor class {d}");
            Assert.That(negatives[d, 3], Is.GreaterThan(0), "the one-image class serves as a negative");
            Assert.That(negatives[d, 7], Is.Zero);
        }
    }

    [Test]
    public void ARefusedStateNamesWhatIsWrongAndChangesNothing()
    {
        var set = SyntheticSets.Uniform(6);
        int[] Draw(TripletSampler s, int n)
        {
            var a = new int[n]; var p = new int[n]; var q = new int[n];
            s.NextBatch(a, p, q);
            return [.. a, .. p, .. q];
        }
        var sampler = new TripletSampler(set, new Rng(2));
        var twin = new TripletSampler(set, new Rng(2));
        Draw(sampler, 13);
        Draw(twin, 13);
        var other = new TripletSampler(set, new Rng(77));
        Draw(other, 29);
        var good = other.GetState();
        string Refusal(TripletSamplerState state) => Assert.Throws<ArgumentException>(() => sampler.Restore(state))!.Message;
        string wrongCycles = "sampler state: expected a negative-class cycle for each of the 10 anchor classes";
        Assert.That(Refusal(good with { NegativeOrders = null! }), Is.EqualTo(wrongCycles));
        Assert.That(Refusal(good with { NegativeOrders = good.NegativeOrders[..9] }), Is.EqualTo(wrongCycles));
        Assert.That(Refusal(good with { NegativeCursors = null! }), Is.EqualTo(wrongCycles));
        Assert.That(Refusal(good with { NegativeCursors = good.NegativeCursors[..9] }), Is.EqualTo(wrongCycles));
        Assert.That(Refusal(good with { AnchorOrder = [.. Enumerable.Repeat(1, 10)] }), Is.EqualTo("sampler state: anchor cycle is not a permutation of 0..9"));
        // The last negative cycle bad, everything before it good: nothing may have been taken over.
        var lastBad = good.NegativeOrders.Select(o => (int[])o.Clone()).ToArray();
        lastBad[9] = [.. Enumerable.Repeat(0, lastBad[9].Length)];
        Assert.That(Refusal(good with { NegativeOrders = lastBad }), Is.EqualTo($"sampler state: negative class 9 cycle is not a permutation of 0..{lastBad[9].Length - 1}"));
        Assert.That(Draw(sampler, 40), Is.EqualTo(Draw(twin, 40)));
        Assert.Throws<ArgumentNullException>(() => new TripletSampler((int[][])null!, new Rng(1)));
        Assert.Throws<ArgumentNullException>(() => new TripletSampler(new[] { new[] { 0, 1 }, new[] { 2 } }, null!));
    }

    [Test]
    public void ClassesThatCannotMakeTripletsAreRefused()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new TripletSampler(new[] { new[] { 0 }, new[] { 1 } }, new Rng(1)))!.Message,
            Is.EqualTo("no class holds two images; triplets need a class with at least two (anchor and positive)"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TripletSampler(new[] { new[] { 0, 1 }, Array.Empty<int>() }, new Rng(1)))!.Message,
            Does.StartWith("only one class holds images; triplets need a second class for"));
    }
}
