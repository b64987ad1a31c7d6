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
}
