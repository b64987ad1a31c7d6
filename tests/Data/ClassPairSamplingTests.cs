using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

/// <summary>The pair sampler and the balanced protocol over K classes (MNIST's ten keep their own fixtures, unchanged).</summary>
public class ClassPairSamplingTests
{
    /// <summary>byClass for classes of the given sizes, image indices interleaved so that no class is contiguous.</summary>
    static int[][] Classes(params int[] sizes)
    {
        var labels = new List<int>();
        for (int c = 0; c < sizes.Length; c++)
            labels.AddRange(Enumerable.Repeat(c, sizes[c]));
        var random = new Random(3);
        return ClassIndex.Group(labels.OrderBy(_ => random.Next()).ToArray(), sizes.Length);
    }

    static int[] LabelOf(int[][] byClass)
    {
        var labels = new int[byClass.Sum(c => c.Length)];
        for (int c = 0; c < byClass.Length; c++)
            foreach (int i in byClass[c]) labels[i] = c;
        return labels;
    }

    [Test]
    public void MnistsDigitsThroughTheClassListAreTheDigitSamplerDrawForDraw()
    {
        var set = SyntheticSets.WithCounts(30, 31, 32, 33, 34, 35, 36, 37, 38, 39);
        var a = new PairSampler(set, new Rng(5));
        var b = new PairSampler(set.IndicesByClass(), new Rng(5));
        for (int batch = 0; batch < 20; batch++)
        {
            int[] l1 = new int[33], r1 = new int[33], y1 = new int[33], l2 = new int[33], r2 = new int[33], y2 = new int[33];
            a.NextBatch(l1, r1, y1);
            b.NextBatch(l2, r2, y2);
            Assert.That((l2, r2, y2), Is.EqualTo((l1, r1, y1)));
        }
        var p1 = BalancedPairSet.Create(set, new Rng(9), 40, 30);
        var p2 = BalancedPairSet.CreateScaled(set.IndicesByClass(), new Rng(9), out _);
        var p3 = BalancedPairSet.Create(set.IndicesByClass(), new Rng(9), 40, 30);
        Assert.That((p3.Left, p3.Right, p3.Labels), Is.EqualTo((p1.Left, p1.Right, p1.Labels)));
        Assert.That(p2.Count, Is.EqualTo(10 * 435 + 45 * 200), "scaled: C(30,2) = 435 positives per digit (the smallest), 200 per digit pair");
    }

    [Test]
    public void TheScaledDefaultsOfMnistsTestSetAreTheExercisesProtocol()
    {
        var set = SyntheticSets.WithCounts(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
        var scaled = BalancedPairSet.CreateScaled(set.IndicesByClass(), new Rng(1), out string description);
        var exercise = BalancedPairSet.Create(set, new Rng(1));
        Assert.That((scaled.Left, scaled.Right, scaled.Labels), Is.EqualTo((exercise.Left, exercise.Right, exercise.Labels)));
        Assert.That(description, Is.EqualTo("800 positive pairs for each of 10 classes; 200 negative pairs for each of 45 class pairs"));
    }

    [Test]
    public void FewClassesWithASingletonCycleThroughPairsAndTheSingletonIsOnlyANegative()
    {
        var byClass = Classes(10, 1, 7);
        var labels = LabelOf(byClass);
        var sampler = new PairSampler(byClass, new Rng(2));
        var positives = new int[3];
        var negativePairs = new Dictionary<(int, int), int>();
        for (int batch = 0; batch < 30; batch++)
        {
            int[] l = new int[12], r = new int[12], y = new int[12];
            sampler.NextBatch(l, r, y);
            for (int i = 0; i < 12; i++)
            {
                int a = labels[l[i]], b = labels[r[i]];
                if (y[i] == PairSampler.Same)
                {
                    Assert.That(a, Is.EqualTo(b));
                    Assert.That(l[i], Is.Not.EqualTo(r[i]));
                    positives[a]++;
                }
                else
                {
                    Assert.That(a, Is.Not.EqualTo(b));
                    var key = (Math.Min(a, b), Math.Max(a, b));
                    negativePairs[key] = negativePairs.GetValueOrDefault(key) + 1;
                }
            }
        }
        Assert.That(positives, Is.EqualTo(new[] { 90, 0, 90 }), "180 positives over the two classes that can form them");
        Assert.That(negativePairs.Values, Is.All.EqualTo(60), "180 negatives over the three class pairs");
    }

    [TestCase(60, 64)]
    [TestCase(101, 33)]
    [TestCase(1000, 64)]
    public void ManyClassesKeepEveryClassWithinOneOfTheOthers(int classes, int batch)
    {
        var sizes = Enumerable.Range(0, classes).Select(c => c % 17 == 0 ? 1 : 2 + c % 5).ToArray();
        var byClass = Classes(sizes);
        var labels = LabelOf(byClass);
        var sampler = new PairSampler(byClass, new Rng(4));
        var anchor = new long[classes];
        var member = new long[classes];
        for (int b = 0; b < 37; b++)
        {
            int[] l = new int[batch], r = new int[batch], y = new int[batch];
            sampler.NextBatch(l, r, y);
            for (int i = 0; i < batch; i++)
            {
                int a = labels[l[i]], c = labels[r[i]];
                if (y[i] == PairSampler.Same)
                {
                    Assert.That(a, Is.EqualTo(c));
                    anchor[a]++;
                }
                else
                {
                    Assert.That(a, Is.Not.EqualTo(c), "a negative's two classes differ");
                    member[a]++;
                    member[c]++;
                }
            }
            var eligible = Enumerable.Range(0, classes).Where(k => sizes[k] >= 2).Select(k => anchor[k]).ToArray();
            Assert.That(eligible.Max() - eligible.Min(), Is.LessThanOrEqualTo(1), $"positives after batch {b}");
            Assert.That(member.Max() - member.Min(), Is.LessThanOrEqualTo(1), $"negatives after batch {b}");
        }
        Assert.That(Enumerable.Range(0, classes).Where(k => sizes[k] == 1).Sum(k => anchor[k]), Is.Zero);
    }

    [Test]
    public void AManyClassSamplerResumesFromItsState()
    {
        var byClass = Classes(Enumerable.Repeat(3, 80).ToArray());
        var a = new PairSampler(byClass, new Rng(8));
        int[] l = new int[31], r = new int[31], y = new int[31];
        a.NextBatch(l, r, y);
        var b = new PairSampler(byClass, new Rng(99));
        b.Restore(a.GetState());
        int[] l2 = new int[31], r2 = new int[31], y2 = new int[31];
        a.NextBatch(l, r, y);
        b.NextBatch(l2, r2, y2);
        Assert.That((l2, r2, y2), Is.EqualTo((l, r, y)));
    }

    [Test]
    public void ASamplerNeedsAPositiveClassAndTwoClasses()
    {
        Assert.That(() => new PairSampler(Classes(1, 1, 1), new Rng(1)), Throws.ArgumentException.With.Message.Contains("two images"));
        Assert.That(() => new PairSampler(Classes(5, 0), new Rng(1)), Throws.ArgumentException.With.Message.Contains("two classes"));
    }

    [Test]
    public void TheProtocolForManyClassesSpreadsNegativesEvenlyAndNeverRepeatsAPair()
    {
        var sizes = Enumerable.Range(0, 400).Select(c => c % 50 == 0 ? 1 : 4).ToArray();
        var byClass = Classes(sizes);
        var labels = LabelOf(byClass);
        var pairs = BalancedPairSet.CreateScaled(byClass, new Rng(6), out string description);
        Assert.That(description, Does.StartWith("6 positive pairs for each of 392 classes (the smallest class has 4 images, 6 distinct pairs)"));
        Assert.That(description, Does.Contain("9000 negative pairs").And.Contain("8 classes of one image serve in negatives only"));
        var member = new int[400];
        var anchor = new int[400];
        var seen = new HashSet<(int, int)>();
        for (int p = 0; p < pairs.Count; p++)
        {
            int a = labels[pairs.Left[p]], b = labels[pairs.Right[p]];
            Assert.That(seen.Add((Math.Min(pairs.Left[p], pairs.Right[p]), Math.Max(pairs.Left[p], pairs.Right[p]))), Is.True, "no image pair twice");
            if (pairs.Labels[p] == PairSampler.Same) { Assert.That(a, Is.EqualTo(b)); anchor[a]++; }
            else { Assert.That(a, Is.Not.EqualTo(b)); member[a]++; member[b]++; }
        }
        Assert.That(member.Max() - member.Min(), Is.LessThanOrEqualTo(1));
        Assert.That(Enumerable.Range(0, 400).Where(c => sizes[c] == 4).Select(c => anchor[c]), Is.All.EqualTo(6));
        Assert.That(pairs.Count, Is.EqualTo(392 * 6 + 9000));
    }

    [Test]
    public void SmallClassesScaleThePositivesDownAndSayWhy()
    {
        var pairs = BalancedPairSet.CreateScaled(Classes(4, 20, 20), new Rng(3), out string description);
        Assert.That(description, Is.EqualTo("6 positive pairs for each of 3 classes (the smallest class has 4 images, 6 distinct pairs); 80 negative pairs for each of 3 class pairs"));
        Assert.That(pairs.Count, Is.EqualTo(18 + 240));
    }

    [Test]
    public void CycledUpToFiftyClasses()
    {
        Assert.That(ClassPairs.Cycled(50), Is.True, "C(50,2) = 1,225 pairs are still listed");
        Assert.That(ClassPairs.Cycled(51), Is.False);
        Assert.That(ClassPairs.All([3, 5, 9]), Is.EqualTo(new[] { (3, 5), (3, 9), (5, 9) }));
    }

    [Test]
    public void TwoClassesAreEnoughForEitherSampler()
    {
        int[][] two = [[0, 1, 2], [3, 4, 5]];
        var pairs = new PairSampler(two, new Rng(1));
        var l = new int[8]; var r = new int[8]; var y = new int[8];
        pairs.NextBatch(l, r, y);
        Assert.That(y.Count(v => v == 1), Is.EqualTo(4));
        var triplets = new TripletSampler(two, new Rng(1));
        var a = new int[4]; var p = new int[4]; var n = new int[4];
        triplets.NextBatch(a, p, n);
        Assert.That(Enumerable.Range(0, 4).All(k => (a[k] < 3) != (n[k] < 3)), "each negative from the other class");
        Assert.That(Assert.Throws<ArgumentNullException>(() => new PairSampler(two, null!))!.ParamName, Is.EqualTo("rng"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => new PairSampler((ImageSet)null!, new Rng(1)))!.ParamName, Is.EqualTo("set"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => new TripletSampler((ImageSet)null!, new Rng(1)))!.ParamName, Is.EqualTo("set"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => triplets.Restore(null!))!.ParamName, Is.EqualTo("state"));
    }
}
