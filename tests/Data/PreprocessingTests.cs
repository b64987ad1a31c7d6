using GpuSiamese.Data;
using SkiaSharp;

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

    /// <summary>A PNG of two halves: <paramref name="left"/> and <paramref name="right"/>.</summary>
    static byte[] Halves(SKColor left, SKColor right, int width = 40, int height = 30)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, x < width / 2 ? left : right);
        return DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    [Test]
    public void ReadInputMakesDigitsAsDigitImageDoesAtAnySize()
    {
        using var bitmap = DrawnDigits.Seven(120, 90, 20, 10, 70, SKColors.Black, SKColors.White);
        byte[] png = DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
        var digit = DigitImage.Read(png, "seven");
        var warnings = new List<string>();
        Assert.That(Preprocessing.MnistDefault.ReadInput(png, "seven", ImageFile.MaxPixels, warnings), Is.EqualTo(digit.Image14));
        var at28 = new Preprocessing(new ImageShape(1, 28, 28), 1, ImageFit.Digit, InvertMode.Auto);
        Assert.That(at28.ReadInput(png, "seven", ImageFile.MaxPixels, null), Is.EqualTo(digit.Image28.Select(ImageSet.ByteToInput).ToArray()));
        var rgb20 = new Preprocessing(new ImageShape(3, 20, 20), 1, ImageFit.Digit, InvertMode.Auto);
        var expected = new float[rgb20.Input.Size];
        rgb20.ToInput(rgb20.FromGrey28(digit.Image28), expected);
        Assert.That(rgb20.ReadInput(png, "seven", ImageFile.MaxPixels, null), Is.EqualTo(expected));

        var blank = Halves(SKColors.White, SKColors.White);
        var refusal = Assert.Throws<InvalidDataException>(() => at28.ReadInput(blank, "blank.png", ImageFile.MaxPixels, null));
        Assert.That(refusal!.Message, Does.StartWith("blank.png: no digit"));
    }

    [Test]
    public void ReadInputStretchesWholeImagesAndRefusesOnlyABlankOne()
    {
        var rgb = new Preprocessing(new ImageShape(3, 6, 6), 1, ImageFit.Stretch, InvertMode.NoInvert);
        var grey = rgb with { Input = new ImageShape(1, 6, 6) };
        // Red and green of (almost) the same luminance: a picture to an RGB model, one flat grey to a grey one.
        byte[] hues = Halves(new SKColor(255, 0, 0), new SKColor(0, 140, 0));
        var (rgba, w, h) = ImageFile.DecodeRgba(hues, "hues.png");
        var expected = new float[rgb.Input.Size];
        rgb.ToInput(ImageFile.ToStored(rgba, w, h, rgb.Stored, InvertMode.NoInvert), expected);
        Assert.That(rgb.ReadInput(hues, "hues.png", ImageFile.MaxPixels, null), Is.EqualTo(expected));
        var refusal = Assert.Throws<InvalidDataException>(() => grey.ReadInput(hues, "hues.png", ImageFile.MaxPixels, null));
        Assert.That(refusal!.Message, Does.StartWith("hues.png: blank image: its darkest and lightest pixels differ by"));

        // Ink over the whole image, which the digit rule refuses, is a picture here.
        byte[] busy = Halves(SKColors.Black, SKColors.White, 200, 200);
        Assert.That(grey.ReadInput(busy, "busy.png", ImageFile.MaxPixels, null), Has.Length.EqualTo(36));
        var flat = Assert.Throws<InvalidDataException>(() => rgb.ReadInput(Halves(SKColors.Teal, SKColors.Teal), "flat.png", ImageFile.MaxPixels, null));
        Assert.That(flat!.Message, Is.EqualTo("flat.png: blank image: it is one flat colour, nothing to compare"));
        // Over the pixel limit: refused from the header, as uploads are.
        Assert.Throws<InvalidDataException>(() => rgb.ReadInput(busy, "busy.png", maxPixels: 100, null));
    }
}
