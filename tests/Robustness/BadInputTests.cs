using System.Buffers.Binary;
using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Host;
using SkiaSharp;
using TempFolder = GpuSiamese.Tests.Host.TempFolder;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// Every kind of bad input, given to the real program (the command line in-process with the real engine): each
/// must be one stderr line that names the culprit and what was expected, exit code 2, no stack trace, and no
/// output file or run folder left behind. The test names are the table of cases; each prints its message.
/// </summary>
public class BadInputTests : SmallRunFixture
{
    string _model = "", _pairs = "", _labels = "", _image = "";

    [OneTimeSetUp]
    public void WriteGoodInputs()
    {
        _model = SmallRun.WriteCheckpoint(Dir.File("good.ckpt"));
        var (pixels, labels) = NpyBytes.Sample(4);
        (_pairs, _labels) = (Dir.File("pairs.npy"), Dir.File("labels.npy"));
        Npy.WritePairs(_pairs, _labels, new PairArrays(pixels, labels));
        using var seven = DrawnDigits.Seven(56, 56, 12, 8, 32, SKColors.Black, SKColors.White);
        _image = Dir.File("seven.png");
        File.WriteAllBytes(_image, DrawnDigits.Encode(seven, SKEncodedImageFormat.Png));
    }

    // ---- IDX files, through train --data DIR -------------------------------------------------------------------

    static byte[] Images(int count, int magic = Idx.ImagesMagic) =>
        IdxBytes.Images(count, 28, 28, IdxBytes.RandomDigits(count, 1).Pixels, magic);

    static byte[] Labels(int count, byte bad = 0) =>
        IdxBytes.Labels(IdxBytes.RandomDigits(count, 1).Labels.Select((l, i) => i == count / 2 && bad > 0 ? bad : l).ToArray());

    static byte[] WithCount(byte[] file, int count)
    {
        var copy = (byte[])file.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(4), count);
        return copy;
    }

    static IEnumerable<TestCaseData> IdxCases()
    {
        const string images = "train-images-idx3-ubyte", labels = "train-labels-idx1-ubyte";
        int n = SmallRun.TrainImages;
        yield return Case("IDX images with the labels' magic", images, Images(n, Idx.LabelsMagic), "magic number 2049 (0x00000801), expected 2051");
        yield return Case("IDX images truncated", images, Images(n)[..(16 + 784 * n / 2 + 7)], "truncated");
        yield return Case("IDX header count larger than the data", images, WithCount(Images(n), n + 1), $"header promises {(n + 1) * 784 + 16} bytes ({n + 1}x28x28 images) but the file holds {n * 784 + 16} (truncated)");
        yield return Case("IDX header count smaller than the data", images, WithCount(Images(n), n - 1), "(trailing bytes)");
        yield return Case("IDX header dimension 0", images, WithCount(Images(n), 0), "dimension 0 of the header is 0, expected 1..");
        yield return Case("IDX label outside 0..9", labels, Labels(n, bad: 12), $"label {n / 2} is 12, expected a digit 0..9");
        yield return Case("IDX image and label counts disagree", labels, Labels(n - 1), $"holds {n} images but");

        static TestCaseData Case(string name, string file, byte[] bytes, string expected) =>
            new TestCaseData(file, bytes, expected).SetName(name);
    }

    [TestCaseSource(nameof(IdxCases))]
    public void Bad_idx_file(string file, byte[] bytes, string expected)
    {
        using var folder = new TempFolder();
        string data = SmallRun.WriteData(folder.File("mnist"));
        File.WriteAllBytes(Path.Combine(data, file), bytes);
        string runs = folder.File("runs");
        Refused(SmallRun.Train(SmallRun.TrainArgs(data, runs)), Path.Combine(data, file), expected, runs);
    }

    [TestCase(false, TestName = "IDX gzip with corrupt deflate data")]
    [TestCase(true, TestName = "IDX gzip truncated")]
    public void Corrupt_gzip(bool truncate)
    {
        using var folder = new TempFolder();
        string data = SmallRun.WriteData(folder.File("mnist"), gzip: true);
        string file = Path.Combine(data, "t10k-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(file);
        if (truncate)
            bytes = bytes[..(bytes.Length / 2)];
        else
            for (int i = 20; i < bytes.Length - 8; i += 97) bytes[i] ^= 0x5A;
        File.WriteAllBytes(file, bytes);
        string runs = folder.File("runs");
        Refused(SmallRun.Train(SmallRun.TrainArgs(data, runs)), file, truncate ? "truncated" : "corrupt gzip data", runs);
    }

    // ---- .npy pair sets, through eval --pairs/--labels -----------------------------------------------------------

    static IEnumerable<TestCaseData> NpyCases()
    {
        var (pixels, labels) = NpyBytes.Sample(4);
        byte[] floats = NpyBytes.Floats(pixels);
        byte[] goodLabels = NpyBytes.Build("<i8", "(4,)", NpyBytes.Int64s(labels.Select(l => (long)l)));
        byte[] goodPairs = NpyBytes.Build("<f4", "(4, 2, 196)", floats);
        yield return Case("npy pairs of dtype float64", "pairs", NpyBytes.Build("<f8", "(4, 2, 196)", [.. floats, .. floats]), goodLabels,
            "dtype '<f8', expected");
        yield return Case("npy pairs big-endian", "pairs", NpyBytes.Build(">f4", "(4, 2, 196)", floats), goodLabels, "dtype '>f4', expected");
        yield return Case("npy pairs of shape (4, 3, 196)", "pairs", NpyBytes.Build("<f4", "(4, 3, 196)", [.. floats, .. floats[..(4 * 196 * 4)]]), goodLabels,
            "shape (4, 3, 196), expected (N, 2, 14, 14, 1), (N, 2, 14, 14) or (N, 2, 196)");
        yield return Case("npy pairs in Fortran order", "pairs", NpyBytes.Build("<f4", "(4, 2, 196)", floats, fortran: true), goodLabels,
            "Fortran order, expected C order");
        yield return Case("npy pairs truncated", "pairs", goodPairs[..^100], goodLabels, "truncated: shape (4, 2, 196) needs 6272 bytes of data");
        yield return Case("npy labels of dtype float32", "labels", goodPairs, NpyBytes.Build("<f4", "(4,)", NpyBytes.Floats([0, 1, 0, 1])),
            "dtype '<f4', expected");
        yield return Case("npy labels of shape (4, 1)", "labels", goodPairs, NpyBytes.Build("<i8", "(4, 1)", NpyBytes.Int64s([0, 1, 0, 1])),
            "shape (4, 1), expected (N,)");
        yield return Case("npy labels count differs from pairs", "labels", goodPairs, NpyBytes.Build("<i8", "(3,)", NpyBytes.Int64s([0, 1, 0])),
            "holds 3 labels but");
        yield return Case("npy label outside 0..1", "labels", goodPairs, NpyBytes.Build("<i8", "(4,)", NpyBytes.Int64s([0, 1, 7, 1])),
            "label 2 is 7, expected 0 (same digit) or 1 (different)");
        yield return Case("npy pairs on the 0..255 scale", "pairs", NpyBytes.Build("<f4", "(4, 2, 14, 14, 1)", NpyBytes.Floats(
            Enumerable.Range(0, 4 * 392).Select(i => (float)(i % 256)).ToArray())), goodLabels,
            "pixel values range from 0 to 255, expected 0..1 (MNIST scaled to [0, 1]; 0..255 images: divide them by 255)");
        yield return Case("npy pairs standardised (negative values)", "pairs", NpyBytes.Build("<f4", "(4, 2, 196)", NpyBytes.Floats(
            Enumerable.Range(0, 4 * 392).Select(i => (i % 7 - 3) * 0.5f).ToArray())), goodLabels,
            "pixel values range from -1.5 to 1.5, expected 0..1 (MNIST scaled to [0, 1]; rescale them to [0, 1])");
        yield return Case("npy not a npy file", "pairs", "pixels,label\n0.5,1\n"u8.ToArray(), goodLabels, "not a .npy file");

        static TestCaseData Case(string name, string culprit, byte[] pairs, byte[] labels, string expected) =>
            new TestCaseData(culprit, pairs, labels, expected).SetName(name);
    }

    [TestCaseSource(nameof(NpyCases))]
    public void Bad_npy_file(string culprit, byte[] pairs, byte[] labels, string expected)
    {
        using var folder = new TempFolder();
        string p = folder.File("p.npy"), l = folder.File("l.npy"), csv = folder.File("d.csv"), plots = folder.File("plots");
        File.WriteAllBytes(p, pairs);
        File.WriteAllBytes(l, labels);
        var run = SmallRun.Train("eval", "--model", _model, "--pairs", p, "--labels", l, "--distances", csv, "--plots", plots,
            "--accelerator", "simd");
        Refused(run, culprit == "pairs" ? p : l, expected, csv, plots);
    }

    // ---- checkpoints, through eval --model, compare --model and train --resume -----------------------------------

    static IEnumerable<TestCaseData> CheckpointCases()
    {
        foreach (string command in new[] { "eval", "compare" })
        {
            yield return Case(command, "truncated", b => b[..(b.Length * 2 / 3)], "it is truncated: the header announces");
            yield return Case(command, "one bit flipped", b => { b[b.Length / 2] ^= 0x10; return b; },
                "its SHA-256 checksum does not match the contents (the file is corrupt)");
            yield return Case(command, "of a future format version", b => { b[8] = CheckpointFile.FormatVersion + 1; return b; },
                $"it is format version {CheckpointFile.FormatVersion + 1}, written by a newer GpuSiamese; this build reads version {CheckpointFile.FormatVersion} and older");
            yield return Case(command, "not a checkpoint", _ => "GIF89a: this is a picture, not a model at all"u8.ToArray(),
                "it does not start with the checkpoint magic 'GSIAMCKP' (not a GpuSiamese checkpoint)");
            yield return Case(command, "empty", _ => [], "it is 0 bytes long, shorter than the 20-byte header");
            yield return Case(command, "with a NaN weight (valid checksum)", WithNaNWeight,
                "its parameters hold a non-finite value (NaN) at index 0; a checkpoint holds finite values only");
        }

        static TestCaseData Case(string command, string name, Func<byte[], byte[]> damage, string expected) =>
            new TestCaseData(command, damage, expected).SetName($"checkpoint {name}, via {command}");
    }

    /// <summary>The good checkpoint rewritten with its first weight NaN: well-formed, correctly summed, unusable.</summary>
    static byte[] WithNaNWeight(byte[] good)
    {
        using var folder = new TempFolder();
        string path = folder.File("good.ckpt");
        File.WriteAllBytes(path, good);
        var parameters = CheckpointFile.Load(path).Parameters;
        var network = new NetworkConfig([196, 16, 4]);
        parameters[0] = float.NaN;
        CheckpointFile.Save(path, new Checkpoint(network, new TrainingConfig { Network = network }, parameters, 1.0, null));
        return File.ReadAllBytes(path);
    }

    [TestCaseSource(nameof(CheckpointCases))]
    public void Bad_checkpoint(string command, Func<byte[], byte[]> damage, string expected)
    {
        using var folder = new TempFolder();
        string model = folder.File("model.ckpt"), csv = folder.File("d.csv"), saved = folder.File("seen");
        File.WriteAllBytes(model, damage(File.ReadAllBytes(_model)));
        var run = command == "eval"
            ? SmallRun.Train("eval", "--model", model, "--pairs", _pairs, "--labels", _labels, "--distances", csv, "--accelerator", "simd")
            : SmallRun.Train("compare", "--model", model, _image, _image, "--save-preprocessed", saved, "--accelerator", "simd");
        Refused(run, $"checkpoint '{model}'", expected, csv, saved);
    }

    [Test(Description = "checkpoint of another architecture, via train --resume")]
    public void Checkpoint_of_another_architecture()
    {
        using var folder = new TempFolder();
        string model = SmallRun.WriteCheckpoint(folder.File("model.ckpt"), [196, 32, 8]), runs = folder.File("runs");
        var run = SmallRun.Train([.. SmallRun.TrainArgs(Data, runs), "--resume", model]);
        Refused(run, $"checkpoint '{model}'", "it holds a 196-32-8 (ReLU on output) network, but 196-16-4 (ReLU on output) was expected", runs);
    }

    // ---- image files, through compare ----------------------------------------------------------------------------

    static IEnumerable<TestCaseData> ImageCases()
    {
        yield return new TestCaseData("hello, I am not a picture\n"u8.ToArray(),
            "not an image this program decodes (PNG, JPEG, BMP, GIF or WebP expected)").SetName("image file that is not an image");
        yield return new TestCaseData(Array.Empty<byte>(), "empty file, expected an image (PNG, JPEG, BMP, GIF or WebP)").SetName("image file that is empty");
        yield return new TestCaseData(DrawnDigits.PngHeaderOnly(10_000, 6_000),
            "image of 10000x6000 = 60.0 megapixels, more than the 50 megapixels accepted").SetName("image over 50 megapixels (header only)");
        yield return new TestCaseData(DrawnDigits.Encode(Seven(), SKEncodedImageFormat.Png)[..200], "truncated or corrupt")
            .SetName("image file truncated");
        // Images that decode but hold no digit (issue 10: each was compared with a confident verdict).
        yield return new TestCaseData(Png(Plain(64, 48, SKColors.White)), "no digit: the image is one flat colour").SetName("image all white");
        yield return new TestCaseData(Png(Plain(64, 48, SKColors.Black)), "no digit: the image is one flat colour").SetName("image all black");
        yield return new TestCaseData(Png(Plain(1, 1, SKColors.White)), "no digit: the image is 1x1 pixels, too small to hold one (5x5 at least)")
            .SetName("image of 1x1 pixel");
        yield return new TestCaseData(Png(Plain(4, 30, SKColors.Black, ink: 1)), "no digit: the image is 4x30 pixels, too small")
            .SetName("image 4 pixels wide");
        yield return new TestCaseData(Png(PaperNoise(80, 60, 10)), "no digit: the ink differs from the background by")
            .SetName("image of a blank page with faint noise");
        yield return new TestCaseData(Png(Plain(60, 60, SKColors.White, ink: 48)), "no digit: ink covers 64 % of the image, expected a digit on a plain background")
            .SetName("image covered in ink");
    }

    /// <summary>A width x height image of <paramref name="paper"/>, with a centred square of the opposite colour <paramref name="ink"/> pixels wide.</summary>
    internal static SKBitmap Plain(int width, int height, SKColor paper, int ink = 0)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(paper);
        var opposite = paper == SKColors.White ? SKColors.Black : SKColors.White;
        for (int y = (height - ink) / 2; y < (height - ink) / 2 + ink; y++)
            for (int x = (width - ink) / 2; x < (width - ink) / 2 + ink; x++)
                bitmap.SetPixel(x, y, opposite);
        return bitmap;
    }

    /// <summary>White paper with seeded grey noise of 0..<paramref name="depth"/> levels below white: a blank scanned page.</summary>
    static SKBitmap PaperNoise(int width, int height, int depth)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var random = new Random(3);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte v = (byte)(255 - random.Next(depth + 1));
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        return bitmap;
    }

    internal static byte[] Png(SKBitmap bitmap)
    {
        using (bitmap) return DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    static SKBitmap Seven() => DrawnDigits.Seven(64, 64, 12, 8, 40, SKColors.Black, SKColors.White);

    [TestCaseSource(nameof(ImageCases))]
    public void Bad_image_file(byte[] bytes, string expected)
    {
        using var folder = new TempFolder();
        string image = folder.File("digit.png"), saved = folder.File("seen");
        File.WriteAllBytes(image, bytes);
        var run = SmallRun.Train("compare", "--model", _model, _image, image, "--save-preprocessed", saved, "--accelerator", "simd");
        Refused(run, image, expected, saved);
    }

    [Test]
    public void An_image_without_a_digit_compared_with_itself_is_refused()
    {
        using var folder = new TempFolder();
        string white = folder.File("white.png");
        File.WriteAllBytes(white, Png(Plain(64, 48, SKColors.White)));
        Refused(SmallRun.Train("compare", "--model", _model, white, white, "--accelerator", "simd"), white, "no digit: the image is one flat colour");
    }

    [Test]
    public void Embed_refuses_an_image_without_a_digit()
    {
        using var folder = new TempFolder();
        string black = folder.File("black.png"), output = folder.File("e.npy");
        File.WriteAllBytes(black, Png(Plain(30, 30, SKColors.Black)));
        Refused(SmallRun.Train("embed", "--model", _model, _image, black, "--out", output, "--accelerator", "simd"), black,
            "no digit: the image is one flat colour", output);
    }

    [Test]
    public void A_borderline_image_is_scored_with_a_warning()
    {
        // A 7 of 12 pixels on 800x600 paper: very little ink. compare and embed score it and say so on stderr.
        using var folder = new TempFolder();
        string speck = folder.File("speck.png"), output = folder.File("e.csv");
        File.WriteAllBytes(speck, Png(DrawnDigits.Seven(800, 600, 300, 300, 12, SKColors.Black, SKColors.White)));
        foreach (var run in new[]
        {
            SmallRun.Train("compare", "--model", _model, _image, speck, "--accelerator", "simd"),
            SmallRun.Train("embed", "--model", _model, _image, speck, "--out", output, "--accelerator", "simd"),
        })
        {
            TestContext.Out.WriteLine(run.Error.TrimEnd());
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
            Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
            Assert.That(run.ErrorLines[0], Does.StartWith($"warning: {speck}: very little ink ("));
        }
        Assert.That(File.Exists(output), Is.True);
    }

    [Test]
    public void Forced_no_invert_on_dark_ink_is_refused_with_the_hint()
    {
        // --no-invert on a black-on-white drawing makes the paper the ink.
        Refused(SmallRun.Train("compare", "--model", _model, _image, _image, "--no-invert", "--accelerator", "simd"), _image,
            "(with --no-invert: try without it)");
    }

    // ---- option values ---------------------------------------------------------------------------------------------

    [TestCase("--batch", "0", "--batch expects a whole number ≥ 1, got '0'", TestName = "option batch 0")]
    [TestCase("--epochs", "-1", "--epochs expects a whole number ≥ 1, got '-1'", TestName = "option epochs -1")]
    [TestCase("--lr", "NaN", "--lr expects a number > 0, got 'NaN'", TestName = "option lr NaN")]
    [TestCase("--lr", "0", "--lr expects a number > 0, got '0'", TestName = "option lr 0")]
    [TestCase("--lr", "-0.01", "--lr expects a number > 0, got '-0.01'", TestName = "option lr negative")]
    [TestCase("--q", "0", "--q expects a number > 0, got '0'", TestName = "option Q 0")]
    [TestCase("--q", "-5", "--q expects a number > 0, got '-5'", TestName = "option Q negative")]
    [TestCase("--layers", "784,200,10", "--layers reads 784 (784 values) but --input-size 14 --channels 1 give 1x14x14 (196 values); leave --layers out to have the network follow the input, or start it with the input's shape",
        TestName = "option layers not reading the input size")]
    [TestCase("--input-size", "1", "--input-size expects a whole number from 2 to 1024, got '1'", TestName = "option input size 1")]
    [TestCase("--channels", "2", "--channels expects 1 or 3, got '2'", TestName = "option channels 2")]
    public void Bad_option_value(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        string runs = folder.File("runs");
        // The option replaces the small run's own value (System.CommandLine refuses an option given twice).
        var args = SmallRun.TrainArgs(Data, runs).ToList();
        int at = args.IndexOf(option);
        if (at >= 0) args.RemoveRange(at, 2);
        Refused(SmallRun.Train([.. args, option, value]), option, expected, runs);
    }

    /// <summary>Exit 2, exactly one stderr line naming the culprit and the expectation, no trace, no outputs.</summary>
    static void Refused(HostRun run, string culprit, string expected, params string[] outputs)
    {
        TestContext.Out.WriteLine(run.Error.TrimEnd());
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.Error);
            Assert.That(run.ErrorLines, Has.Length.EqualTo(1), "exactly one line on stderr");
            Assert.That(run.ErrorLines.FirstOrDefault(), Does.StartWith("error: ").And.Contains(culprit).And.Contains(expected));
            Assert.That(run.Error, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace");
            foreach (string output in outputs)
                Assert.That(File.Exists(output) || Directory.Exists(output), Is.False, $"{output} was left behind");
        });
    }
}
