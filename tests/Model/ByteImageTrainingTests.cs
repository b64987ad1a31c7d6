using GpuSiamese.Data;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// Training and scoring over K classes of colour images held as bytes: the 8-bit device table gathered with the /255
/// conversion gives exactly what the same images converted on the host give.
/// </summary>
public class ByteImageTrainingTests
{
    const int Classes = 5, Side = 6, Channels = 3;

    /// <summary>K classes of 3x6x6 byte images: a random prototype per class plus noise.</summary>
    internal static ImageSet Colour(int perClass, int seed)
    {
        var rng = new Random(seed);
        var prototypes = new byte[Classes][];
        var protoRng = new Random(99);
        for (int c = 0; c < Classes; c++)
        {
            prototypes[c] = new byte[Channels * Side * Side];
            protoRng.NextBytes(prototypes[c]);
        }
        int size = Channels * Side * Side, n = Classes * perClass;
        var bytes = new byte[n * size];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % Classes;
            for (int k = 0; k < size; k++)
                bytes[i * size + k] = (byte)Math.Clamp(prototypes[labels[i]][k] + rng.Next(-60, 61), 0, 255);
        }
        return ImageSet.FromBytes(new ImageShape(Channels, Side, Side), Classes, bytes, labels);
    }

    static TrainingConfig Config => new()
    {
        Network = NetworkSpec.Parse("3x6x6,c4k3,p,f,8l"),
        InputSize = Side,
        Channels = Channels,
        Epochs = 2,
        BatchPairs = 10,
        PairsPerEpoch = 100,
        LearningRate = 0.01,
        MonitorPairs = 100,
    };

    static ImageSet AsFloats(ImageSet set) => ImageSet.FromFloats(set.Shape, set.ClassCount, set.ToFloats(), set.Labels);

    [Test]
    public void ABytesHeldSetTrainsExactlyAsItsFloatCopy()
    {
        var train = Colour(12, 1);
        var validation = Colour(4, 2);
        Assert.That(train.Bytes, Is.Not.Null);
        using var fromBytes = new Trainer(new ReferenceBackend(), Config, train, validation, new Rng(5));
        using var fromFloats = new Trainer(new ReferenceBackend(), Config, AsFloats(train), AsFloats(validation), new Rng(5));
        var a = fromBytes.Train();
        var b = fromFloats.Train();
        Assert.That(fromBytes.Network.DownloadParameters(), Is.EqualTo(fromFloats.Network.DownloadParameters()));
        Assert.That(a.Select(r => r.ValidationAuc), Is.EqualTo(b.Select(r => r.ValidationAuc)));
        Assert.That(a[^1].ValidationAuc, Is.GreaterThan(0.9), "five separable colour classes are learned");
        var test = Colour(6, 3);
        Assert.That(fromBytes.Evaluator.Embed(test), Is.EqualTo(fromBytes.Evaluator.Embed(AsFloats(test))));
    }

    [Test]
    public void ANetworkOverAnotherShapeIsRefusedNamingLayers()
    {
        var config = Config with { Network = NetworkSpec.Parse("3x8x8,c4k3,p,f,8l"), InputSize = 8 };
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new ReferenceBackend(), config, Colour(4, 1), Colour(2, 2), new Rng(1)))!;
        Assert.That(e.Message, Does.StartWith("--layers"));
    }

    [Test]
    public void ImageSetHeldAsBytesConvertsEachImageAsTheHostRuleSays()
    {
        var set = Colour(2, 7);
        var floats = set.ToFloats();
        var sub = set.Subset([3, 0]);
        Assert.That(sub.Bytes, Is.Not.Null);
        Assert.That(sub.Labels, Is.EqualTo(new[] { set.Labels[3], set.Labels[0] }));
        Assert.That(sub.ImageAt(0), Is.EqualTo(floats.AsSpan(3 * set.ImageSize, set.ImageSize).ToArray()));
        Assert.That(() => set.Pixels, Throws.InvalidOperationException);
        Assert.That(set.CountsPerClass(), Is.EqualTo(Enumerable.Repeat(2, Classes).ToArray()));
        for (int v = 0; v < 256; v++)
            Assert.That(ImageSet.ByteToInput((byte)v), Is.EqualTo(v / 255f), $"byte {v}: host and device quotients agree");
    }
}
