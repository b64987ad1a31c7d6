using System.Buffers.Binary;
using System.IO.Compression;
using GpuSiamese.Data;
using SkiaSharp;

namespace GpuSiamese.Tests.Data;

public class ImageFolderTests
{
    TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    string Root => _dir.File("set");

    string ClassDir(string name)
    {
        string d = Path.Combine(Root, name);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A PNG of noise in one hue per class, different for every seed.</summary>
    static byte[] Png(int seed, int width = 20, int height = 16, SKColor? tint = null)
    {
        var random = new Random(seed);
        var t = tint ?? new SKColor(200, 60, 30);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double f = 0.5 + 0.5 * random.NextDouble();
                bitmap.SetPixel(x, y, new SKColor((byte)(t.Red * f), (byte)(t.Green * f), (byte)(t.Blue * f)));
            }
        return DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    /// <summary>A PNG written by hand: colour type 0 (grey) at 16 bits, or 3 (palette) at 8 bits with a 4-colour palette.</summary>
    static byte[] HandPng(int width, int height, bool sixteenBitGrey, int seed)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = sixteenBitGrey ? (byte)16 : (byte)8;
        ihdr[9] = sixteenBitGrey ? (byte)0 : (byte)3;
        DrawnDigits.Chunk(ms, "IHDR", ihdr);
        if (!sixteenBitGrey)
            DrawnDigits.Chunk(ms, "PLTE", [0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255]);
        int bytesPerPixel = sixteenBitGrey ? 2 : 1;
        var raw = new byte[height * (1 + width * bytesPerPixel)];
        var random = new Random(seed);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = y * (1 + width * bytesPerPixel) + 1 + x * bytesPerPixel;
                if (sixteenBitGrey)
                    BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(o), (ushort)random.Next(65536));
                else
                    raw[o] = (byte)random.Next(4);
            }
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true))
                zs.Write(raw);
            DrawnDigits.Chunk(ms, "IDAT", z.ToArray());
        }
        DrawnDigits.Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    void Images(string cls, int count, int seedBase, SKColor? tint = null)
    {
        string d = ClassDir(cls);
        for (int i = 0; i < count; i++)
            File.WriteAllBytes(Path.Combine(d, $"{i:D3}.png"), Png(seedBase + i, tint: tint));
    }

    Dataset Load(int size = 14, int channels = 1, List<string>? log = null) =>
        new ImageFolder(Root).Load(DatasetShape.For(new ImageFolder(Root), size, channels), log is null ? null : log.Add);

    [Test]
    public void ClassesAreTheSubfolderNamesInOrderAndEveryFormatAndModeDecodes()
    {
        Images("b-cats", 6, 100);
        Images("a-dogs", 4, 200);
        string modes = ClassDir("c-modes");
        using (var seven = DrawnDigits.Seven(60, 40, 10, 5, 30, SKColors.Black, SKColors.White))
        {
            File.WriteAllBytes(Path.Combine(modes, "rgb.jpg"), DrawnDigits.Encode(seven, SKEncodedImageFormat.Jpeg));
            File.WriteAllBytes(Path.Combine(modes, "rgb.bmp"), DrawnDigits.Bmp(seven));
            File.WriteAllBytes(Path.Combine(modes, "grey.gif"), DrawnDigits.Gif(seven));
            File.WriteAllBytes(Path.Combine(modes, "rgba.webp"), DrawnDigits.Encode(seven, SKEncodedImageFormat.Webp));
        }
        File.WriteAllBytes(Path.Combine(modes, "grey16.png"), HandPng(33, 7, sixteenBitGrey: true, 1));
        File.WriteAllBytes(Path.Combine(modes, "palette.PNG"), HandPng(5, 90, sixteenBitGrey: false, 2));
        Directory.CreateDirectory(Path.Combine(modes, "nested"));
        File.WriteAllBytes(Path.Combine(modes, "nested", "deep.png"), Png(7, 300, 200));

        var data = Load(28, 3);
        Assert.That(data.ClassNames, Is.EqualTo(new[] { "a-dogs", "b-cats", "c-modes" }));
        Assert.That(data.Train.Shape, Is.EqualTo(new ImageShape(3, 28, 28)));
        var perClass = Enumerable.Range(0, 3).Select(c => data.Train.Labels.Count(l => l == c) + data.Test.Labels.Count(l => l == c)).ToArray();
        Assert.That(perClass, Is.EqualTo(new[] { 4, 6, 7 }), "every file decodes, the nested one included");
        Assert.That(data.Notes, Is.Empty);
        // The test part: clamp(round(n·0.2), 1, n−1) per class.
        Assert.That(Enumerable.Range(0, 3).Select(c => data.Test.Labels.Count(l => l == c)), Is.EqualTo(new[] { 1, 1, 1 }));
    }

    [Test]
    public void ColourIsKeptInRgbAndLuminanceInGrey()
    {
        Images("red", 3, 1, new SKColor(250, 0, 0));
        Images("blue", 3, 10, new SKColor(0, 0, 250));
        var rgb = Load(8, 3);
        int red = rgb.ClassNames.ToList().IndexOf("red");
        int i = Array.IndexOf(rgb.Train.Labels, red);
        var image = rgb.Train.Image(i);
        Assert.That(image[0], Is.GreaterThan(100), "R of the first pixel");
        Assert.That(image[1], Is.EqualTo(0), "G of the first pixel");
        Assert.That(image[5], Is.EqualTo(0), "B of the second pixel");
        var grey = Load(8, 1);
        Assert.That(grey.Train.Image(Array.IndexOf(grey.Train.Labels, red))[0], Is.InRange(20, 80), "0.299 of the red");
    }

    [Test]
    public void TheSplitDoesNotDependOnFileNames()
    {
        Images("x", 10, 1);
        Images("y", 10, 50);
        var first = Load();
        foreach (string f in Directory.GetFiles(Path.Combine(Root, "x")))
            File.Move(f, Path.Combine(Path.GetDirectoryName(f)!, "renamed-" + Path.GetFileName(f)));
        var second = Load();
        Assert.That(second.Test.Pixels, Is.EqualTo(first.Test.Pixels));
        Assert.That(first.Test.Count, Is.EqualTo(4));
    }

    static void AssertRefused(Func<Dataset> load, string words)
    {
        var e = Assert.Catch<Exception>(() => load());
        Assert.That(e, Is.InstanceOf<InvalidDataException>().Or.InstanceOf<DirectoryNotFoundException>());
        Assert.That(e!.Message, Does.Contain(words));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void AMissingOrEmptyFolderIsRefused()
    {
        AssertRefused(() => Load(), "no such folder");
        Directory.CreateDirectory(Root);
        File.WriteAllBytes(Path.Combine(Root, "loose.png"), Png(1));
        AssertRefused(() => Load(), "no class folders");
    }

    [Test]
    public void OneClassOnlyIsRefused()
    {
        Images("only", 5, 1);
        AssertRefused(() => Load(), "one class only (only)");
    }

    [Test]
    public void AClassFolderWithoutImagesIsRefused()
    {
        Images("a", 3, 1);
        ClassDir("b");
        File.WriteAllText(Path.Combine(ClassDir("b"), "notes.txt"), "no images here");
        AssertRefused(() => Load(), "b holds no image files");
    }

    [Test]
    public void BrokenFilesAmongGoodOnesAreSkippedWithACountAndTheirNames()
    {
        Images("a", 4, 1);
        Images("b", 4, 20);
        string b = Path.Combine(Root, "b");
        File.WriteAllText(Path.Combine(b, "fake.png"), "this is text");
        var png = Png(99);
        File.WriteAllBytes(Path.Combine(b, "cut.png"), png[..(png.Length / 2)]);
        File.WriteAllBytes(Path.Combine(b, "empty.jpg"), []);
        File.WriteAllBytes(Path.Combine(b, "huge.png"), DrawnDigits.PngHeaderOnly(10_000, 6_000));
        File.WriteAllText(Path.Combine(b, "README.md"), "about the set");
        var log = new List<string>();
        var data = Load(log: log);
        Assert.That(data.Train.Count + data.Test.Count, Is.EqualTo(8));
        string unreadable = data.Notes.Single(n => n.Contains("could not be read"));
        Assert.That(unreadable, Does.StartWith("4 image files could not be read and were skipped"));
        Assert.That(unreadable, Does.Contain("cut.png").Or.Contain("empty.jpg").Or.Contain("fake.png"));
        Assert.That(data.Notes.Single(n => n.Contains("without an image extension")), Does.Contain("README.md"));
        Assert.That(log, Has.Some.StartWith("warning: 4 image files"));
    }

    [Test]
    public void SixtyMegapixelsAreRefusedFromTheHeader()
    {
        Images("a", 2, 1);
        Images("b", 2, 20);
        File.WriteAllBytes(Path.Combine(Root, "b", "huge.png"), DrawnDigits.PngHeaderOnly(10_000, 6_000));
        var data = Load();
        Assert.That(data.Notes.Single(), Does.Contain("huge.png").And.Contain("60.0 megapixels"));
    }

    [Test]
    public void AClassWhoseEveryImageIsBrokenIsRefused()
    {
        Images("a", 3, 1);
        File.WriteAllText(Path.Combine(ClassDir("b"), "x.png"), "text");
        AssertRefused(() => Load(), "no usable image left in the class folder");
    }

    [Test]
    public void SymbolicLinkLoopsAreNotFollowed()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("symbolic links need privileges on Windows");
            return;
        }
        Images("a", 3, 1);
        Images("b", 3, 20);
        Directory.CreateSymbolicLink(Path.Combine(Root, "a", "loop"), Path.Combine(Root, "a"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "up"), Root);
        Directory.CreateSymbolicLink(Path.Combine(Root, "nowhere"), Path.Combine(Root, "missing")); // dangling: no folder, no class
        var data = Load();
        Assert.That(data.ClassNames, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(data.Train.Count + data.Test.Count, Is.EqualTo(6));
        Assert.That(data.Notes, Has.Some.StartWith("1 class folders are symbolic links").And.Some.Contain("not followed: " + Path.Combine(Root, "a", "loop")));
    }

    [Test]
    public void AClassFolderLinkedFromElsewhereIsAClass()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("symbolic links need privileges on Windows");
            return;
        }
        Images("a", 3, 1);
        string elsewhere = _dir.File("elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllBytes(Path.Combine(elsewhere, "1.png"), Png(70));
        File.WriteAllBytes(Path.Combine(elsewhere, "2.png"), Png(71));
        Directory.CreateDirectory(Root);
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked"), elsewhere);
        Assert.That(Load().ClassNames, Is.EqualTo(new[] { "a", "linked" }));
    }

    [Test]
    public void TheSameImageInTwoClassesIsDroppedFromBothAndARepeatKeepsOneCopy()
    {
        Images("a", 4, 1);
        Images("b", 4, 20);
        File.Copy(Path.Combine(Root, "a", "000.png"), Path.Combine(Root, "b", "stolen.png"));
        File.Copy(Path.Combine(Root, "b", "001.png"), Path.Combine(Root, "b", "again.png"));
        var data = Load();
        Assert.That(data.Train.Labels.Concat(data.Test.Labels).Count(l => l == 0), Is.EqualTo(3));
        Assert.That(data.Train.Labels.Concat(data.Test.Labels).Count(l => l == 1), Is.EqualTo(4));
        Assert.That(data.Notes, Has.Some.StartWith("2 files hold an image that is also in another class"));
        Assert.That(data.Notes, Has.Some.StartWith("1 files repeat an earlier image"));
    }

    [Test]
    public void ASingleImageClassIsTrainingOnlyAndSaidToServeAsNegatives()
    {
        Images("a", 5, 1);
        Images("b", 5, 20);
        Images("lonely", 1, 40);
        var data = Load();
        Assert.That(data.Test.Labels, Has.None.EqualTo(2));
        Assert.That(data.Train.Labels, Has.One.EqualTo(2));
        Assert.That(data.Notes.Single(), Does.Contain("1 classes hold a single image").And.Contain("lonely").And.Contain("negatives"));
    }

    [Test]
    public void MixedSizesAllComeOutAtTheStoredSize()
    {
        string a = ClassDir("a");
        File.WriteAllBytes(Path.Combine(a, "wide.png"), Png(1, 400, 3));
        File.WriteAllBytes(Path.Combine(a, "tall.png"), Png(2, 1, 250));
        File.WriteAllBytes(Path.Combine(a, "tiny.png"), Png(3, 1, 1));
        Images("b", 2, 10);
        var data = Load(64, 1);
        Assert.That(data.Train.Pixels.Length + data.Test.Pixels.Length, Is.EqualTo(5 * 64 * 64));
    }
}
