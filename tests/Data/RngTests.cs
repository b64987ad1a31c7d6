using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class RngTests
{
    [Test]
    public void SeedingIsSplitMix64()
    {
        // SplitMix64 from seed 1234567: the first three values are the published reference outputs.
        var state = new Rng(1234567).GetState();
        Assert.That(state[..4], Is.EqualTo(new ulong[] { 6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431 }));
    }

    [Test]
    public void XoshiroOutputsMatchTheReferenceSequence()
    {
        // xoshiro256** from the state {1, 2, 3, 4}: the reference implementation's first ten outputs.
        var rng = Rng.FromState([1, 2, 3, 4]);
        ulong[] expected = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
            16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576];
        foreach (ulong e in expected)
            Assert.That(rng.NextUInt64(), Is.EqualTo(e));
    }

    [Test]
    public void SeededOutputsMatchAnIndependentComputation()
    {
        // Computed by a separate Python implementation of SplitMix64 seeding + xoshiro256**.
        var rng = new Rng(42);
        ulong[] expected = [1546998764402558742, 6990951692964543102, 12544586762248559009, 17057574109182124193, 18295552978065317476];
        foreach (ulong e in expected)
            Assert.That(rng.NextUInt64(), Is.EqualTo(e));
    }

    [Test]
    public void NextIntStaysInRangeAndIsUniform()
    {
        var rng = new Rng(3);
        const int bound = 7, draws = 70_000;
        var counts = new int[bound];
        for (int i = 0; i < draws; i++)
            counts[rng.NextInt(bound)]++;
        double expected = draws / (double)bound;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.That(chi2, Is.LessThan(22.5), "chi-square with 6 degrees of freedom, p = 0.001");
        Assert.That(new Rng(1).NextInt(1), Is.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Test]
    public void NextIntIsUnbiasedForABoundNearTwoToThe31()
    {
        // A 32-bit draw reduced modulo 3·2^29 would put 37.5% of draws in the low third instead of 33.3%.
        var rng = new Rng(5);
        const int bound = 3 << 29;
        int low = 0;
        const int draws = 60_000;
        for (int i = 0; i < draws; i++)
            if (rng.NextInt(bound) < bound / 3)
                low++;
        Assert.That(low / (double)draws, Is.EqualTo(1 / 3.0).Within(0.01));
    }

    [Test]
    public void DoublesAndFloatsLieInTheUnitInterval()
    {
        var rng = new Rng(9);
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double d = rng.NextDouble();
            float f = rng.NextFloat();
            if (!(d >= 0 && d < 1 && f >= 0 && f < 1))
                Assert.Fail($"draw {i}: {d}, {f} outside [0, 1)");
            sum += d;
        }
        Assert.That(sum / 100_000, Is.EqualTo(0.5).Within(0.005));
    }

    [Test]
    public void GaussianHasMeanZeroAndUnitVariance()
    {
        var rng = new Rng(11);
        const int n = 200_000;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++)
        {
            double g = rng.NextGaussian();
            s += g;
            s2 += g * g;
        }
        Assert.That(s / n, Is.EqualTo(0).Within(0.01));
        Assert.That(s2 / n, Is.EqualTo(1).Within(0.02));
    }

    [Test]
    public void ShuffleIsAPermutationAndUniformOverPositions()
    {
        var rng = new Rng(13);
        var firstCounts = new int[5];
        for (int t = 0; t < 50_000; t++)
        {
            int[] items = [0, 1, 2, 3, 4];
            rng.Shuffle(items.AsSpan());
            if (!items.Order().SequenceEqual([0, 1, 2, 3, 4]))
                Assert.Fail($"shuffle {t} gave {string.Join(",", items)}");
            firstCounts[items[0]]++;
        }
        foreach (int c in firstCounts)
            Assert.That(c, Is.EqualTo(10_000).Within(400));
    }

    [Test]
    public void StateRoundTripContinuesIdentically()
    {
        var rng = new Rng(17);
        for (int i = 0; i < 10; i++)
            rng.NextUInt64();
        rng.NextGaussian(); // leaves a spare Gaussian in the state
        var copy = Rng.FromState(rng.GetState());
        for (int i = 0; i < 100; i++)
        {
            Assert.That(copy.NextGaussian(), Is.EqualTo(rng.NextGaussian()));
            Assert.That(copy.NextUInt64(), Is.EqualTo(rng.NextUInt64()));
        }
    }

    [Test]
    public void FromStateRefusesBadStates()
    {
        Assert.Throws<ArgumentException>(() => Rng.FromState([0, 0, 0, 0]));
        Assert.Throws<ArgumentException>(() => Rng.FromState([1, 2, 3]));
    }

    [Test]
    public void ForkGivesAReproducibleStreamDistinctFromTheParent()
    {
        var a = new Rng(21);
        var b = new Rng(21);
        var childA = a.Fork();
        var childB = b.Fork();
        var fromChild = Enumerable.Range(0, 8).Select(_ => childA.NextUInt64()).ToArray();
        Assert.That(Enumerable.Range(0, 8).Select(_ => childB.NextUInt64()), Is.EqualTo(fromChild));
        var fromParent = Enumerable.Range(0, 8).Select(_ => a.NextUInt64()).ToArray();
        Assert.That(fromParent.Intersect(fromChild), Is.Empty);
    }

    [Test]
    public void DifferentSeedsGiveDifferentStreams()
    {
        Assert.That(new Rng(1).NextUInt64(), Is.Not.EqualTo(new Rng(2).NextUInt64()));
    }
}
