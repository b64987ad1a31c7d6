using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class PreprocessingTests
{
    static byte[] Raw28(int seed) => Enumerable.Range(0, 784).Select(i => (byte)((i * 13 + seed * 101) % 256)).ToArray();

    [Test]
    public void MnistsDefaultIsTheExactTwoByTwoPool()
    {
        var raw = Raw28(3);
        var expected = new float[196];
        Downsample.Pool(raw, expected);
        var input = new float[196];
        Preprocessing.MnistDefault.ToInput(raw, input);
        Assert.That(input, Is.EqualTo(expected));
        Assert.That(Preprocessing.MnistDefault.Stored, Is.EqualTo(new ImageShape(1, 28, 28)));
    }

    [Test]
    public void AnImageSetIsMnistsFloatsAtFourteenAndTheSharedBytesWithoutPooling()
    {
        byte[] raw = [.. Raw28(1), .. Raw28(2), .. Raw28(3)];
        var images = new LabelledImages(new ImageShape(1, 28, 28), raw, [2, 0, 2]);
        var pooled = Preprocessing.MnistDefault.ToImageSet(images, 3, keepRaw28: true);
        Assert.That(pooled.Bytes, Is.Null);
        Assert.That(pooled.Pixels, Is.EqualTo(Downsample.PoolAll(raw, 3)), "MNIST's 14x14 floats, bit for bit");
        Assert.That(pooled.Raw28, Is.SameAs(raw));
        Assert.That(pooled.Labels, Is.EqualTo(new[] { 2, 0, 2 }));
        Assert.That(Preprocessing.MnistDefault.ToImageSet(images, 3).Raw28, Is.Null);
        var full = new Preprocessing(new ImageShape(1, 28, 28), 1, ImageFit.Digit, InvertMode.Auto).ToImageSet(images, 3);
        Assert.That(full.Bytes, Is.SameAs(raw), "held as the stored bytes, not copied");
        Assert.That(full.Shape, Is.EqualTo(new ImageShape(1, 28, 28)));
        Assert.That(full.ImageAt(1)[5], Is.EqualTo(raw[784 + 5] / 255f));
    }

    [Test]
    public void WithoutPoolingAValueIsItsByteOver255()
    {
        var p = new Preprocessing(new ImageShape(3, 2, 2), 1, ImageFit.Stretch, InvertMode.NoInvert);
        var input = new float[12];
        p.ToInput(new byte[] { 0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8 }, input);
        Assert.That(input[..4], Is.EqualTo(new[] { 0f, 1f, 0.2f, 0.4f }));
    }

    [Test]
    public void PoolingRgbPoolsEachChannelOfTheChannelsLastLayout()
    {
        var p = new Preprocessing(new ImageShape(3, 1, 2), 2, ImageFit.Stretch, InvertMode.NoInvert);
        // Stored 2x4 pixels of RGB: channel c of pixel (y, x) = 10·c + y + x.
        var stored = new byte[2 * 4 * 3];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 4; x++)
                for (int c = 0; c < 3; c++)
                    stored[(y * 4 + x) * 3 + c] = (byte)(10 * c + y + x);
        var input = new float[6];
        p.ToInput(stored, input);
        // Output pixel 0 covers x 0..1: mean of (0,1,1,2) + 10c = 1 + 10c; pixel 1 covers x 2..3: 3 + 10c.
        Assert.That(input, Is.EqualTo(new[] { 1f, 11f, 21f, 3f, 13f, 23f }.Select(v => (float)(4 * v / 1020.0)).ToArray()));
    }

    [Test]
    public void TheSetConversionIsTheImageConversionForEveryImage()
    {
        var p = Preprocessing.MnistDefault;
        var images = new LabelledImages(p.Stored, [.. Raw28(1), .. Raw28(2), .. Raw28(3)], [4, 5, 6]);
        var all = p.ToInput(images);
        var one = new float[196];
        p.ToInput(Raw28(2), one);
        Assert.That(all.AsSpan(196, 196).ToArray(), Is.EqualTo(one));
    }

    [Test]
    public void A28x28ImageIsKeptAsItIsAt28AndResizedAndCopiedToEveryChannelElsewhere()
    {
        var raw = Raw28(5);
        var at28 = new Preprocessing(new ImageShape(1, 28, 28), 1, ImageFit.Digit, InvertMode.Auto);
        Assert.That(at28.FromGrey28(raw), Is.EqualTo(raw));
        var flat = Enumerable.Repeat((byte)77, 784).ToArray();
        var rgb56 = new Preprocessing(new ImageShape(3, 56, 56), 1, ImageFit.Digit, InvertMode.Auto);
        Assert.That(rgb56.FromGrey28(flat), Has.Length.EqualTo(3 * 56 * 56).And.All.EqualTo((byte)77));
        var at14 = new Preprocessing(new ImageShape(1, 14, 14), 1, ImageFit.Digit, InvertMode.Auto).FromGrey28(raw);
        var pooled = new float[196];
        Downsample.Pool(raw, pooled);
        for (int i = 0; i < 196; i++)
            Assert.That(at14[i], Is.EqualTo(Math.Round(pooled[i] * 255)).Within(1), "the area filter halving 28 is the 2x2 mean");
    }

    [Test]
    public void TheShapeRuleIsOneForEverySource()
    {
        var mnist = DatasetShape.For(new MnistSource(null));
        Assert.That(mnist, Is.EqualTo(Preprocessing.MnistDefault));
        var folder = DatasetShape.For(new ImageFolder("/x"), 105, 3);
        Assert.That(folder, Is.EqualTo(new Preprocessing(new ImageShape(3, 105, 105), 1, ImageFit.Stretch, InvertMode.NoInvert)));
        Assert.Throws<ArgumentException>(() => DatasetShape.For(new MnistSource(null), 1));
        Assert.Throws<ArgumentException>(() => DatasetShape.For(new MnistSource(null), 28, 2));
        Assert.That(Preprocessing.MnistDefault.Describe(), Is.EqualTo("input 1x14x14, stored 1x28x28 pooled 2x2, fit digit, invert auto, scale 1/255"));
    }

    [Test]
    public void SourcesAreNamedAsTheCommandLineNamesThem()
    {
        Assert.That(DatasetShape.Source("mnist", null), Is.TypeOf<MnistSource>());
        Assert.That(DatasetShape.Source("fashion-mnist", null), Is.TypeOf<FashionMnist>());
        Assert.That(DatasetShape.Source("./photos", null).Name, Is.EqualTo("./photos"));
    }
}
