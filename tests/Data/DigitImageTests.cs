using GpuSiamese.Data;
using SkiaSharp;

namespace GpuSiamese.Tests.Data;

public class DigitImageTests
{
    TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    string Save(string name, SKBitmap bitmap, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using (bitmap)
            return _dir.Write(name, DrawnDigits.Encode(bitmap, format));
    }

    /// <summary>A large black-on-white 7 drawn far from the centre of a wide canvas.</summary>
    string BlackOnWhiteSeven() => Save("bw.png", DrawnDigits.Seven(600, 400, 40, 30, 200, SKColors.Black, SKColors.White));

    static void AssertMnistLike(byte[] image28)
    {
        Assert.That(image28, Has.Length.EqualTo(784));
        Assert.That(image28.Max(), Is.GreaterThan(230), "the ink is white (JPEG ringing may stretch a little above the strokes)");
        Assert.That(new[] { image28[0], image28[27], image28[27 * 28], image28[783] }, Is.All.Zero, "the background is black");
        Assert.That(image28.Count(v => v > 0), Is.LessThan(784 / 3), "ink is the minority: white on black");
        var (cx, cy) = DrawnDigits.CentreOfMass(image28);
        Assert.That(cx, Is.EqualTo(13.5).Within(1.0), "centre of mass x");
        Assert.That(cy, Is.EqualTo(13.5).Within(1.0), "centre of mass y");
        var (w, h) = DrawnDigits.InkBox(image28);
        Assert.That(Math.Max(w, h), Is.EqualTo(20), "the ink is fitted into 20x20");
    }

    [Test]
    public void ALargeOffCentreBlackOnWhiteDigitBecomesACentredWhiteOnBlackOne()
    {
        var image = DigitImage.Load28(BlackOnWhiteSeven());
        AssertMnistLike(image);
        // The 7's top bar is its widest part: the top rows of the ink hold more than the bottom rows.
        int top = Enumerable.Range(0, 28 * 10).Sum(i => image[i]);
        int bottom = Enumerable.Range(28 * 18, 28 * 10).Sum(i => image[i]);
        Assert.That(top, Is.GreaterThan(bottom), "upright, not flipped");
    }

    [Test]
    public void LoadIsThePooledTwentyEightByTwentyEight()
    {
        string path = BlackOnWhiteSeven();
        var expected = new float[196];
        Downsample.Pool(DigitImage.Load28(path), expected);
        Assert.That(DigitImage.Load(path), Is.EqualTo(expected));
    }

    [Test]
    public void WhiteOnBlackIsLeftAsItIsAndMatchesTheInvertedDrawing()
    {
        var reference = DigitImage.Load28(BlackOnWhiteSeven());
        string path = Save("wb.png", DrawnDigits.Seven(600, 400, 40, 30, 200, SKColors.White, SKColors.Black));
        var image = DigitImage.Load28(path);
        AssertMnistLike(image);
        Assert.That(image.Zip(reference, (a, b) => Math.Abs(a - b)).Max(), Is.LessThanOrEqualTo(2));
        Assert.That(DigitImage.Load28(path, InvertMode.NoInvert), Is.EqualTo(image));
    }

    [Test]
    public void ForcedModesOverrideTheDetection()
    {
        string path = BlackOnWhiteSeven();
        Assert.That(DigitImage.Load28(path, InvertMode.Invert), Is.EqualTo(DigitImage.Load28(path)));
        // Not inverting black-on-white makes the 600x400 paper the "ink": it covers nearly all of it, so the image is
        // refused as holding no digit, with a hint at the forced mode.
        AssertRefused(path, "ink covers", InvertMode.NoInvert);
        AssertRefused(path, "(with --no-invert: try without it)", InvertMode.NoInvert);
    }

    [Test]
    public void AColourJpegIsGreyedAndInverted()
    {
        var reference = DigitImage.Load28(BlackOnWhiteSeven());
        string path = Save("colour.jpg", DrawnDigits.Seven(600, 400, 300, 150, 200, new SKColor(180, 20, 40), new SKColor(250, 240, 200)), SKEncodedImageFormat.Jpeg);
        var image = DigitImage.Load28(path);
        AssertMnistLike(image);
        Assert.That(DrawnDigits.Correlation(image, reference), Is.GreaterThan(0.9));
    }

    [Test]
    public void ADimPhotoOfDarkInkOnGreyPaperIsInverted()
    {
        var reference = DigitImage.Load28(BlackOnWhiteSeven());
        string path = Save("dim.png", DrawnDigits.Seven(600, 400, 40, 30, 200, new SKColor(25, 25, 25), new SKColor(100, 100, 100)));
        var image = DigitImage.Load28(path);
        AssertMnistLike(image);
        Assert.That(DrawnDigits.Correlation(image, reference), Is.GreaterThan(0.98));
    }

    [Test]
    public void TransparencyIsCompositedOnWhite()
    {
        var reference = DigitImage.Load28(BlackOnWhiteSeven());
        string path = Save("alpha.png", DrawnDigits.Seven(600, 400, 40, 30, 200, SKColors.Black, SKColors.Transparent));
        var image = DigitImage.Load28(path);
        AssertMnistLike(image);
        Assert.That(DrawnDigits.Correlation(image, reference), Is.GreaterThan(0.98));
    }

    [Test]
    public void BmpGifAndWebPDecode()
    {
        var reference = DigitImage.Load28(BlackOnWhiteSeven());
        using var bitmap = DrawnDigits.Seven(120, 90, 10, 5, 60, SKColors.Black, SKColors.White);
        string bmp = _dir.Write("d.bmp", DrawnDigits.Bmp(bitmap));
        string webp = _dir.Write("d.webp", DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Webp, 100));
        string gif = _dir.Write("d.gif", DrawnDigits.Gif(bitmap));
        foreach (string path in new[] { bmp, webp, gif })
        {
            var image = DigitImage.Load28(path);
            AssertMnistLike(image);
            Assert.That(DrawnDigits.Correlation(image, reference), Is.GreaterThan(0.9), path);
        }
    }

    [Test]
    public void ASmallDigitIsScaledUpToTheBox()
    {
        string path = Save("small.png", DrawnDigits.Seven(40, 40, 25, 3, 10, SKColors.Black, SKColors.White));
        AssertMnistLike(DigitImage.Load28(path));
    }

    [Test]
    public void AOneByOneImageIsRefused()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(1, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.SetPixel(0, 0, SKColors.White);
        AssertRefused(Save("1x1.png", bitmap), "no digit: the image is 1x1 pixels, too small to hold one (5x5 at least)");
    }

    [Test]
    public void ABlankPageIsRefused()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(50, 30, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.LightGray);
        AssertRefused(Save("blank.png", bitmap), "no digit: the image is one flat colour");
    }

    [Test]
    public void ADigitMakesNoWarning()
    {
        Assert.That(DigitImage.Read(BlackOnWhiteSeven()).Warnings, Is.Empty);
    }

    [Test]
    public void ATinyDigitOnALargePageLoadsWithAWarning()
    {
        // A 7 of 12 pixels on 800x600 paper: ink on well under 0.2% of the image, a speck rather than a digit?
        string path = Save("speck.png", DrawnDigits.Seven(800, 600, 300, 300, 12, SKColors.Black, SKColors.White));
        var image = DigitImage.Read(path);
        Assert.That(image.Warnings, Has.Count.EqualTo(1));
        Assert.That(image.Warnings[0], Does.StartWith($"{path}: very little ink (").And.EndWith("of the image); is the digit visible?"));
        Assert.That(image.Image28.Max(), Is.GreaterThan(200), "still preprocessed: the warning does not change the input");
    }

    [Test]
    public void AFaintDigitLoadsWithAWarning()
    {
        var grey = new SKColor(210, 210, 210);
        string path = Save("faint.png", DrawnDigits.Seven(120, 90, 20, 10, 60, grey, SKColors.White));
        var warnings = DigitImage.Read(path).Warnings;
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.StartWith($"{path}: faint image: the ink differs from the background by 18 %"));
    }

    [Test]
    public void DenseInkAndASmallImageLoadWithWarnings()
    {
        // 20x20 white with a 14x14 black square: ink on 49% of a small image.
        using var bitmap = new SKBitmap(new SKImageInfo(20, 20, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.White);
        for (int y = 3; y < 17; y++)
            for (int x = 3; x < 17; x++)
                bitmap.SetPixel(x, y, SKColors.Black);
        string path = Save("block.png", bitmap);
        Assert.That(DigitImage.Read(path).Warnings, Is.EqualTo(new[]
        {
            $"{path}: ink covers 49 % of the image; is it one digit on a plain background?",
            $"{path}: a small image (20x20 pixels) is enlarged to fit MNIST's 20x20 box",
        }));
    }

    void AssertRefused(string path, string words, InvertMode mode = InvertMode.Auto)
    {
        var e = Assert.Throws<InvalidDataException>(() => DigitImage.Load(path, mode));
        Assert.That(e!.Message, Does.Contain(path).And.Contain(words));
    }

    [Test]
    public void NotAnImageAndEmptyFilesAreRefused()
    {
        AssertRefused(_dir.Write("text.png", "this is not an image"u8.ToArray()), "not an image");
        AssertRefused(_dir.Write("empty.png", []), "empty");
        var png = File.ReadAllBytes(BlackOnWhiteSeven());
        AssertRefused(_dir.Write("cut.png", png[..(png.Length / 2)]), "truncated or corrupt");
    }

    [Test]
    public void ImagesOverFiftyMegapixelsAreRefusedBeforeDecoding()
    {
        // The file holds a header and one row of pixels: had it been decoded, it would be refused as truncated instead.
        string path = _dir.Write("huge.png", DrawnDigits.PngHeaderOnly(10_000, 6_000));
        AssertRefused(path, "megapixels");
    }

    [Test]
    public void SavePreprocessedWritesAVisiblePng()
    {
        var image = DigitImage.Load(BlackOnWhiteSeven());
        string path = _dir.File("seen.png");
        DigitImage.SavePreprocessed(path, image);
        using var decoded = SKBitmap.Decode(path);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((280, 280)));
        for (int r = 0; r < 14; r++)
            for (int c = 0; c < 14; c++)
            {
                byte expected = (byte)MathF.Round(image[r * 14 + c] * 255f);
                Assert.That(decoded.GetPixel(c * 20 + 10, r * 20 + 10).Red, Is.EqualTo(expected).Within(1), $"pixel ({r},{c})");
            }
        Assert.Throws<ArgumentException>(() => DigitImage.SavePreprocessed(path, new float[195]));
    }
}
