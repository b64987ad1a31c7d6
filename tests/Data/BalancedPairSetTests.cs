using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class BalancedPairSetTests
{
    static void CheckSet(ImageSet set, PairSet pairs, int positivesPerDigit, int negativesPerPair)
    {
        Assert.That(pairs.Count, Is.EqualTo(10 * positivesPerDigit + 45 * negativesPerPair));
        var positives = new int[10];
        var negatives = new int[45];
        var seen = new HashSet<(int, int)>();
        for (int p = 0; p < pairs.Count; p++)
        {
            int l = pairs.Left[p], r = pairs.Right[p];
            if (l == r)
                Assert.Fail($"pair {p} uses image {l} twice");
            if (!seen.Add((Math.Min(l, r), Math.Max(l, r))))
                Assert.Fail($"image pair {{{l},{r}}} twice");
            int a = set.Labels[l], b = set.Labels[r];
            if (pairs.Labels[p] == 0)
            {
                if (a != b)
                    Assert.Fail($"positive pair {p} has digits {a} and {b}");
                positives[a]++;
            }
            else
            {
                if (pairs.Labels[p] != 1 || a == b)
                    Assert.Fail($"pair {p}: label {pairs.Labels[p]}, digits {a} and {b}");
                negatives[DigitPairs.IndexOf(a, b)]++;
            }
        }
        Assert.That(positives, Is.All.EqualTo(positivesPerDigit));
        Assert.That(negatives, Is.All.EqualTo(negativesPerPair));
    }

    [Test]
    public void DefaultIs17000PairsBalancedAndUnique()
    {
        var set = SyntheticSets.WithCounts(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
        var pairs = BalancedPairSet.Create(set, new Rng(1));
        CheckSet(set, pairs, 800, 200);
        // Sides of negatives are random: a lower digit on the left about half the time.
        int lowerLeft = Enumerable.Range(0, pairs.Count).Count(p => pairs.Labels[p] == 1 && set.Labels[pairs.Left[p]] < set.Labels[pairs.Right[p]]);
        Assert.That(lowerLeft / 9000.0, Is.EqualTo(0.5).Within(0.03));
    }

    [Test]
    public void CountsAreOptionsAndNearlyExhaustiveDemandsWork()
    {
        // 41 images give 820 distinct pairs per digit; 800 of them must still come out unique.
        var set = SyntheticSets.Uniform(41);
        CheckSet(set, BalancedPairSet.Create(set, new Rng(2)), 800, 200);
        CheckSet(set, BalancedPairSet.Create(set, new Rng(2), positivesPerDigit: 820, negativesPerPair: 41 * 41), 820, 41 * 41);
        CheckSet(set, BalancedPairSet.Create(set, new Rng(2), positivesPerDigit: 3, negativesPerPair: 0), 3, 0);
    }

    [Test]
    public void TooFewImagesIsAnError()
    {
        var set = SyntheticSets.Uniform(40); // 780 pairs per digit
        var e = Assert.Throws<ArgumentException>(() => BalancedPairSet.Create(set, new Rng(1)));
        Assert.That(e!.Message, Does.Contain("800"));
        Assert.Throws<ArgumentException>(() => BalancedPairSet.Create(set, new Rng(1), 10, 1601));
        Assert.Throws<ArgumentOutOfRangeException>(() => BalancedPairSet.Create(set, new Rng(1), -1));
    }

    [Test]
    public void SameSeedSameSetOtherSeedOtherSet()
    {
        var set = SyntheticSets.Uniform(300);
        var a = BalancedPairSet.Create(set, new Rng(5));
        var b = BalancedPairSet.Create(set, new Rng(5));
        var c = BalancedPairSet.Create(set, new Rng(6));
        Assert.That(b.Left, Is.EqualTo(a.Left));
        Assert.That(b.Right, Is.EqualTo(a.Right));
        Assert.That(b.Labels, Is.EqualTo(a.Labels));
        Assert.That(c.Left, Is.Not.EqualTo(a.Left));
    }

    /// <summary>Classes of the given sizes, images numbered consecutively.</summary>
    static int[][] Classes(params int[] sizes)
    {
        int next = 0;
        return sizes.Select(n => Enumerable.Range(next, n).Select(_ => next++).ToArray()).ToArray();
    }

    static (int Same, int Different) Kinds(PairSet pairs) => (pairs.Labels.Count(l => l == 0), pairs.Labels.Count(l => l == 1));

    // Sizes worked out from the documented formula: half = max(1, ⌊pairs/2⌋); positives per class min(max(1, ⌊half/P⌋), C(m,2));
    // negatives per class pair min(max(1, ⌊half/C(K,2)⌋), the two smallest classes' product).
    [TestCase(new[] { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100 }, 4000, 10 * 200, 45 * 44)]
    [TestCase(new[] { 3, 5, 40 }, 1000, 3 * 3, 3 * 15)]
    [TestCase(new[] { 6, 6 }, 1, 2 * 1, 1 * 1)]
    [TestCase(new[] { 7 }, 100, 21, 0)]
    [TestCase(new[] { 1, 4, 1 }, 60, 6, 3 * 1)]
    public void MonitorSetSizesFollowTheFormula(int[] sizes, int monitorPairs, int same, int different)
    {
        var pairs = BalancedPairSet.CreateForMonitor(Classes(sizes), new Rng(5), monitorPairs);
        Assert.That(Kinds(pairs), Is.EqualTo((same, different)));
    }

    [Test]
    public void AMonitorSetOverManyClassesSpreadsHalfItsPairsAsNegatives()
    {
        // 60 classes give 1,770 class pairs, more than are cycled: ⌊1000/2⌋ = 500 negatives by the class stream and
        // min(max(1, ⌊500/60⌋), C(3,2)) = 3 positives per class.
        var pairs = BalancedPairSet.CreateForMonitor(Classes(Enumerable.Repeat(3, 60).ToArray()), new Rng(2), 1000);
        Assert.That(Kinds(pairs), Is.EqualTo((60 * 3, 500)));
    }

    [Test]
    public void ScaledSetsWithoutPositivesOrWithoutNegativesSayWhy()
    {
        var noPositives = BalancedPairSet.CreateScaled(Classes(1, 1, 1), new Rng(1), out string why);
        Assert.That(Kinds(noPositives), Is.EqualTo((0, 3 * 1)));
        Assert.That(why, Does.StartWith("no class has two images: no positive pairs"));
        var oneClass = BalancedPairSet.CreateScaled(Classes(5), new Rng(1), out why);
        Assert.That(Kinds(oneClass), Is.EqualTo((10, 0)), "C(5,2) = 10 positives, no class pair");
        Assert.That(why, Does.Contain("0 negative pairs for each of 0 class pairs"));
    }

    [Test]
    public void ManyClassesNeedTwoClassesForNegativesAndRepeatPairsOnlyWhenUsedUp()
    {
        var e = Assert.Throws<ArgumentException>(() => BalancedPairSet.CreateForManyClasses(Classes(4), new Rng(1), 1, 3));
        Assert.That(e!.Message, Is.EqualTo("negative pairs need at least two classes with images"));
        // Two classes of one image each: one distinct pair, asked for three; the pair repeats and the call returns.
        var used = BalancedPairSet.CreateForManyClasses(Classes(1, 1), new Rng(1), 0, 3);
        Assert.That(Kinds(used), Is.EqualTo((0, 3)));
        Assert.That(Enumerable.Range(0, 3).Select(p => (Math.Min(used.Left[p], used.Right[p]), Math.Max(used.Left[p], used.Right[p]))),
            Is.All.EqualTo((0, 1)));
        var two = BalancedPairSet.CreateForManyClasses(Classes(3, 3), new Rng(1), 2, 4);
        Assert.That(Kinds(two), Is.EqualTo((4, 4)), "two classes are enough");
    }

    [Test]
    public void NullArgumentsAreRefusedByName()
    {
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.Create((ImageSet)null!, new Rng(1)))!.ParamName, Is.EqualTo("set"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.Create(Classes(3, 3), null!, 1, 1))!.ParamName, Is.EqualTo("rng"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.Create((int[][])null!, new Rng(1), 1, 1))!.ParamName, Is.EqualTo("byClass"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.CreateForManyClasses(null!, new Rng(1), 1, 1))!.ParamName, Is.EqualTo("byClass"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.CreateForManyClasses(Classes(3, 3), null!, 1, 1))!.ParamName, Is.EqualTo("rng"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.CreateForMonitor(null!, new Rng(1), 10))!.ParamName, Is.EqualTo("byClass"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.CreateForMonitor(Classes(3, 3), null!, 10))!.ParamName, Is.EqualTo("rng"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.CreateScaled(null!, new Rng(1), out _))!.ParamName, Is.EqualTo("byClass"));
    }

    [Test]
    public void TooFewPairsOfAClassPairIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => BalancedPairSet.Create(Classes(2, 3, 1), new Rng(1), 1, 4));
        Assert.That(e!.Message, Is.EqualTo("classes 0 and 2 have 2 distinct pairs: too few for 4 negative pairs"));
        var digits = SyntheticSets.WithCounts(5, 5, 5, 5, 5, 5, 5, 5, 5, 0);
        var noImages = Assert.Throws<ArgumentException>(() => BalancedPairSet.Create(digits, new Rng(1), 0, 1));
        Assert.That(noImages!.Message, Is.EqualTo("digit 9 has no images: too few for 1 negative pairs"));
        var one = SyntheticSets.WithCounts(5, 5, 5, 1, 5, 5, 5, 5, 5, 5);
        var onePositive = Assert.Throws<ArgumentException>(() => BalancedPairSet.Create(one, new Rng(1), 1, 0));
        Assert.That(onePositive!.Message, Is.EqualTo("digit 3 has 1 images, 0 distinct pairs: too few for 1 positive pairs"));
        Assert.Throws<ArgumentOutOfRangeException>(() => BalancedPairSet.Create(Classes(3, 3), new Rng(1), 1, -1));
    }

    [Test]
    public void BoundariesOfTheSizeRules()
    {
        // A digit of exactly two images gives its one pair; with no negatives asked, a digit without images is fine.
        var two = SyntheticSets.WithCounts(2, 2, 2, 2, 2, 2, 2, 2, 2, 2);
        Assert.That(Kinds(BalancedPairSet.Create(two, new Rng(1), 1, 0)), Is.EqualTo((10, 0)));
        var emptyNine = SyntheticSets.WithCounts(3, 3, 3, 3, 3, 3, 3, 3, 3, 0);
        Assert.That(Kinds(BalancedPairSet.Create(emptyNine, new Rng(1), 0, 0)), Is.EqualTo((0, 0)));
        // Many-class protocol: no negatives needs no second class.
        Assert.That(Kinds(BalancedPairSet.CreateForManyClasses(Classes(4), new Rng(1), 2, 0)), Is.EqualTo((2, 0)));
        // Scaled over exactly two classes of 3 images: 3 positives each and 3·3 = 9 negatives (not the 9,000 target).
        var scaled = BalancedPairSet.CreateScaled(Classes(3, 3), new Rng(1), out string why);
        Assert.That(Kinds(scaled), Is.EqualTo((6, 9)));
        Assert.That(why, Does.Contain("9 negative pairs for each of 1 class pairs"));
        // Scaled over 60 classes (1,770 class pairs, beyond the cycled 1,225): the class stream's description.
        BalancedPairSet.CreateScaled(Classes(Enumerable.Repeat(3, 60).ToArray()), new Rng(1), out why);
        Assert.That(why, Does.EndWith("9000 negative pairs, each class a member of 300±1 of them"));
        // A monitor set over classes of one image each: no positives, one negative per class pair.
        Assert.That(Kinds(BalancedPairSet.CreateForMonitor(Classes(1, 1, 1), new Rng(1), 10)), Is.EqualTo((0, 3)));
        // Negative counts are refused by name, before anything else.
        var noPositives = Assert.Throws<ArgumentOutOfRangeException>(() => BalancedPairSet.Create(Classes(3, 3), new Rng(1), -1, 1))!;
        Assert.That(noPositives.ParamName, Is.EqualTo("positivesPerClass"));
        Assert.That(noPositives.Message, Does.StartWith("expected 0 or more positive pairs per class (Parameter"));
        var noNegatives = Assert.Throws<ArgumentOutOfRangeException>(() => BalancedPairSet.Create(Classes(3, 3), new Rng(1), 1, -1))!;
        Assert.That(noNegatives.ParamName, Is.EqualTo("negativesPerPair"));
        Assert.That(noNegatives.Message, Does.StartWith("expected 0 or more negative pairs per class pair (Parameter"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => BalancedPairSet.CreateForManyClasses(Classes(3, 3), new Rng(1), -1, 1))!.ParamName, Is.EqualTo("positivesPerClass"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => BalancedPairSet.CreateForManyClasses(Classes(3, 3), new Rng(1), 1, -1))!.ParamName, Is.EqualTo("negatives"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => BalancedPairSet.Create(two, null!))!.ParamName, Is.EqualTo("rng"));
    }

    [Test]
    public void TheSetIsShuffledNotInClassOrder()
    {
        // Positives are built first and negatives after: without the final shuffle the labels would be 0…0 1…1.
        var pairs = BalancedPairSet.Create(Classes(20, 20, 20), new Rng(4), 30, 30);
        int changes = Enumerable.Range(1, pairs.Count - 1).Count(k => pairs.Labels[k] != pairs.Labels[k - 1]);
        Assert.That(changes, Is.GreaterThan(20), "positives and negatives interleave");
    }

    [Test]
    public void RejectionSamplingKeysOrderedPairsOfTwoClassesByBothImages()
    {
        // 1,000 × 10 images hold 10,000 pairs, more than 4·20 + 1,024: drawn by rejection. Twenty negatives need some of
        // the ten right-hand images more than once, so a key that forgot the left image would never finish.
        // A hang guard (the call takes milliseconds), so that such a mistake fails the run instead of stopping it.
        var draw = Task.Run(() => BalancedPairSet.Create(Classes(1000, 10), new Rng(6), 0, 20));
        Assert.That(draw.Wait(TimeSpan.FromMinutes(2)), "the draw never finished");
        var pairs = draw.Result;
        Assert.That(Kinds(pairs), Is.EqualTo((0, 20)));
        var unordered = Enumerable.Range(0, 20).Select(k => (Math.Min(pairs.Left[k], pairs.Right[k]), Math.Max(pairs.Left[k], pairs.Right[k])));
        Assert.That(unordered.Distinct().Count(), Is.EqualTo(20));
    }
}
