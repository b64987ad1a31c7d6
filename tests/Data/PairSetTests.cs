using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class PairSetTests
{
    [Test]
    public void ToArraysCopiesLeftThenRightImagePerPair()
    {
        var set = SyntheticSets.Uniform(3);
        var pairs = new PairSet([4, 0], [7, 29], [1, 0]);
        var arrays = pairs.ToArrays(set);
        Assert.That(arrays.Count, Is.EqualTo(2));
        Assert.That(arrays.Labels, Is.EqualTo(new[] { 1, 0 }));
        Assert.That(arrays.Pixels.AsSpan(0, 196).ToArray(), Is.EqualTo(set.Image(4).ToArray()));
        Assert.That(arrays.Pixels.AsSpan(196, 196).ToArray(), Is.EqualTo(set.Image(7).ToArray()));
        Assert.That(arrays.Pixels.AsSpan(392 + 196, 196).ToArray(), Is.EqualTo(set.Image(29).ToArray()));
    }

    [Test]
    public void MismatchedLengthsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new PairSet([1], [2, 3], [0]));
        Assert.Throws<ArgumentException>(() => new PairArrays(new float[391], [0]));
    }
}
