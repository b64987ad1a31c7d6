using GpuSiamese.Data;
using SkiaSharp;

namespace GpuSiamese.Tests.Data;

/// <summary>
/// Seeded fuzzing of the three file loaders. The documented contract: a bad file gives an
/// <see cref="InvalidDataException"/> naming it (truncation included: no EndOfStreamException escapes), and a file
/// that loads gives well-formed data. Anything else — IndexOutOfRange, OutOfMemory, NullReference, Overflow,
/// EndOfStream, a crash — fails the test and names the input that caused it.
/// </summary>
public class LoaderFuzzTests
{
    const int IdxInputs = 4000, NpyInputs = 3000, ImageInputs = 3000;

    TempFolder _dir = null!;
    ByteMutator _mutator = null!;
    readonly List<string> _failures = [];

    [SetUp]
    public void SetUp()
    {
        _dir = new TempFolder();
        _mutator = new ByteMutator(new Random(20261123));
        _failures.Clear();
    }

    [TearDown] public void TearDown() => _dir.Dispose();

    [Test]
    public void IdxReaderThrowsOnlyInvalidData()
    {
        var (pixels, labels) = IdxBytes.RandomDigits(3, 9);
        var images = IdxBytes.Images(3, 28, 28, pixels);
        var labelBytes = IdxBytes.Labels(labels);
        byte[][] seeds = [images, labelBytes, IdxBytes.Gzip(images), IdxBytes.Gzip(labelBytes)];
        string goodImages = _dir.Write("good-images", images), goodLabels = _dir.Write("good-labels", labelBytes);
        string path = _dir.File("fuzz");
        int loaded = 0;
        for (int n = 0; n < IdxInputs; n++)
        {
            int kind = n % 4;
            File.WriteAllBytes(path, _mutator.Mutate(seeds[kind]));
            Run(n, $"idx seed {kind}", () =>
            {
                if (kind % 2 == 0)
                {
                    var set = Idx.Load(path, goodLabels);
                    Check(set.Count == 3 && set.Pixels.All(v => v >= 0 && v <= 1), "a loaded set is well formed");
                }
                else
                {
                    var set = Idx.Load(goodImages, path);
                    Check(set.Labels.All(l => l <= 9), "labels are digits");
                }
                loaded++;
            });
        }
        Report(IdxInputs, loaded);
    }

    [Test]
    public void NpyReaderThrowsOnlyInvalidData()
    {
        var (pixels, labels) = NpyBytes.Sample(2);
        byte[][] seeds =
        [
            NpyBytes.Build("<f4", "(2, 2, 14, 14, 1)", NpyBytes.Floats(pixels)),
            NpyBytes.Build("<i8", "(2,)", NpyBytes.Int64s(labels.Select(x => (long)x))),
            NpyBytes.Build("<f4", "(2, 2, 196)", NpyBytes.Floats(pixels), major: 2),
            NpyBytes.Build("<i4", "(2,)", NpyBytes.Int32s(labels)),
        ];
        string goodPairs = _dir.Write("good-pairs", seeds[0]), goodLabels = _dir.Write("good-labels", seeds[1]);
        string path = _dir.File("fuzz");
        int loaded = 0;
        for (int n = 0; n < NpyInputs; n++)
        {
            int kind = n % 4;
            File.WriteAllBytes(path, _mutator.Mutate(seeds[kind]));
            Run(n, $"npy seed {kind}", () =>
            {
                var read = kind % 2 == 0 ? Npy.ReadPairs(path, goodLabels) : Npy.ReadPairs(goodPairs, path);
                Check(read.Count == 2 && read.Pixels.Length == 2 * 392 && read.Labels.All(l => l is 0 or 1), "a loaded pair set is well formed");
                loaded++;
            });
        }
        Report(NpyInputs, loaded);
    }

    [Test]
    public void DigitImageThrowsOnlyInvalidData()
    {
        using var bitmap = DrawnDigits.Seven(28, 28, 6, 4, 16, SKColors.Black, SKColors.White);
        byte[][] seeds =
        [
            DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png),
            DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Jpeg, 80),
            DrawnDigits.Bmp(bitmap),
            DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Webp, 80),
            DrawnDigits.PngHeaderOnly(30, 20),
            DrawnDigits.Gif(bitmap),
        ];
        string path = _dir.File("fuzz");
        int loaded = 0;
        for (int n = 0; n < ImageInputs; n++)
        {
            int kind = n % seeds.Length;
            File.WriteAllBytes(path, _mutator.Mutate(seeds[kind]));
            Run(n, $"image seed {kind}", () =>
            {
                var image = DigitImage.Load(path);
                Check(image.Length == 196 && image.All(v => v >= 0 && v <= 1), "a loaded image is 196 values in [0, 1]");
                loaded++;
            });
        }
        Report(ImageInputs, loaded);
    }

    void Run(int n, string what, Action load)
    {
        try
        {
            load();
        }
        catch (InvalidDataException e) when (e.Message.Contains(_dir.Path))
        {
        }
        catch (Exception e)
        {
            if (_failures.Count < 10)
                _failures.Add($"input {n} ({what}): {e.GetType().Name}: {e.Message}");
            else
                _failures.Add("");
        }
    }

    static void Check(bool condition, string what)
    {
        if (!condition)
            throw new InvalidOperationException("loaded but malformed: " + what);
    }

    void Report(int inputs, int loaded)
    {
        TestContext.Progress.WriteLine($"{inputs} inputs, {loaded} loaded, {inputs - loaded - _failures.Count} refused with InvalidDataException, {_failures.Count} failures");
        Assert.That(_failures.Where(f => f.Length > 0), Is.Empty, $"{_failures.Count} inputs threw something else");
        Assert.That(inputs - loaded, Is.GreaterThan(inputs / 4), "most mutations are caught, so the fuzzer reached the checks");
    }
}
