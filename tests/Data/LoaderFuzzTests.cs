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
    Random _random = null!;
    readonly List<string> _failures = [];

    [SetUp]
    public void SetUp()
    {
        _dir = new TempFolder();
        _random = new Random(20261123);
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
            File.WriteAllBytes(path, Mutate(seeds[kind], n));
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
            File.WriteAllBytes(path, Mutate(seeds[kind], n));
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
            File.WriteAllBytes(path, Mutate(seeds[kind], n));
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

    /// <summary>One of several mutations of a valid file, or (one input in ten) random bytes.</summary>
    byte[] Mutate(byte[] seed, int n)
    {
        var data = new List<byte>(seed);
        int choice = _random.Next(10);
        switch (choice)
        {
            case 0: // random bytes
                var bytes = new byte[_random.Next(0, 300)];
                _random.NextBytes(bytes);
                return bytes;
            case 1: // flip a few bytes anywhere
                for (int k = _random.Next(1, 9); k > 0 && data.Count > 0; k--)
                    data[_random.Next(data.Count)] ^= (byte)_random.Next(1, 256);
                break;
            case 2: // flip bytes in the header, where sizes live
                for (int k = _random.Next(1, 4); k > 0 && data.Count > 0; k--)
                    data[_random.Next(Math.Min(data.Count, 140))] = (byte)_random.Next(256);
                break;
            case 3: // a 32-bit field overwritten with an extreme or random value
                if (data.Count >= 4)
                {
                    int at = _random.Next(Math.Min(data.Count - 3, 140));
                    uint v = _random.Next(4) switch { 0 => 0, 1 => 0xFFFFFFFF, 2 => 0x7FFFFFFF, _ => (uint)_random.Next() };
                    data[at] = (byte)(v >> 24); data[at + 1] = (byte)(v >> 16); data[at + 2] = (byte)(v >> 8); data[at + 3] = (byte)v;
                }
                break;
            case 4: // truncated
                data = data.Take(_random.Next(data.Count + 1)).ToList();
                break;
            case 5: // bytes appended
                var tail = new byte[_random.Next(1, 64)];
                _random.NextBytes(tail);
                data.AddRange(tail);
                break;
            case 6: // bytes inserted
                var insert = new byte[_random.Next(1, 16)];
                _random.NextBytes(insert);
                data.InsertRange(_random.Next(data.Count + 1), insert);
                break;
            case 7: // a range removed
                if (data.Count > 0)
                {
                    int from = _random.Next(data.Count);
                    data.RemoveRange(from, _random.Next(1, Math.Min(64, data.Count - from) + 1));
                }
                break;
            case 8: // a range duplicated
                if (data.Count > 0)
                {
                    int from = _random.Next(data.Count);
                    var slice = data.GetRange(from, _random.Next(1, Math.Min(64, data.Count - from) + 1));
                    data.InsertRange(_random.Next(data.Count + 1), slice);
                }
                break;
            default: // untouched: the valid file itself must load
                break;
        }
        return [.. data];
    }
}
