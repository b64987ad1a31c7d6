using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class ImageSetTests
{
    [Test]
    public void SubsetCopiesImagesLabelsAndRawInOrder()
    {
        var (raw, labels) = IdxBytes.RandomDigits(12, 4);
        var set = new ImageSet(Downsample.PoolAll(raw, 12), labels, raw);
        var sub = set.Subset([11, 0, 5]);
        Assert.That(sub.Count, Is.EqualTo(3));
        Assert.That(sub.Labels, Is.EqualTo(new byte[] { labels[11], labels[0], labels[5] }));
        Assert.That(sub.Image(0).ToArray(), Is.EqualTo(set.Image(11).ToArray()));
        Assert.That(sub.Raw28!.AsSpan(784, 784).ToArray(), Is.EqualTo(raw.AsSpan(0, 784).ToArray()));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Subset([12]));
    }

    [Test]
    public void WithoutRaw28SharesThePixelsAndDropsOnlyTheOriginals()
    {
        var (raw, labels) = IdxBytes.RandomDigits(5, 2);
        var set = new ImageSet(Downsample.PoolAll(raw, 5), labels, raw);
        var lean = set.WithoutRaw28();
        Assert.That(lean.Raw28, Is.Null);
        Assert.That(lean.Pixels, Is.SameAs(set.Pixels));
        Assert.That(lean.Labels, Is.SameAs(set.Labels));
        Assert.That(lean.WithoutRaw28(), Is.SameAs(lean));
    }

    [Test]
    public void CountsAndIndicesPerDigit()
    {
        var set = SyntheticSets.WithCounts(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        Assert.That(set.CountsPerClass(), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }));
        var byDigit = set.IndicesByClass();
        for (int d = 0; d < 10; d++)
        {
            Assert.That(byDigit[d], Has.Length.EqualTo(d + 1));
            Assert.That(byDigit[d].All(i => set.Labels[i] == d));
            Assert.That(byDigit[d], Is.Ordered);
        }
    }

    [Test]
    public void InconsistentArraysAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new ImageSet(new float[195], new byte[1]));
        Assert.Throws<ArgumentException>(() => new ImageSet(new float[196], new byte[1], new byte[783]));
        Assert.Throws<ArgumentException>(() => new ImageSet(new float[196], [10]));
    }
}
