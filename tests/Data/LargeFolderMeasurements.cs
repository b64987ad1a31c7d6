using System.Diagnostics;
using GpuSiamese.Data;
using System.Text.Json;
using GpuSiamese.Tests.Robustness;
using SkiaSharp;

namespace GpuSiamese.Tests.Data;

/// <summary>
/// The issue's large folders, made of generated PNGs: 1,000 classes × 20 images of 105x105 (Omniglot's shape) and
/// 100,000 images of 64x64 (100 classes × 1,000). They take minutes to write and load on two cores, so they run only
/// when asked for: <c>dotnet test --filter Category=LargeFolders</c>. They check the counts and print the load time and
/// the process's peak working set for the README, then train on the folder with the real program in a child process
/// (one short epoch: what is measured is the memory a run over such a folder needs, which does not grow with the
/// steps) and print that run's peak RSS from its metrics.json; nothing here depends on the machine's speed.
/// </summary>
[Explicit("minutes of generated images; run with --filter Category=LargeFolders")]
[Category("LargeFolders")]
public class LargeFolderMeasurements
{
    static void Generate(string root, int classes, int perClass, int side)
    {
        Parallel.For(0, classes, c =>
        {
            string dir = Path.Combine(root, $"class{c:D4}");
            Directory.CreateDirectory(dir);
            var random = new Random(c);
            using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Gray8, SKAlphaType.Opaque));
            var pixels = bitmap.GetPixelSpan();
            for (int i = 0; i < perClass; i++)
            {
                // A class pattern (stripes of a class-specific period) plus noise: distinct files, few duplicates.
                for (int k = 0; k < pixels.Length; k++)
                    pixels[k] = (byte)((k % (3 + c % 11) < 2 ? 160 : 40) + random.Next(60));
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(dir, $"{i:D4}.png"), data.ToArray());
            }
        });
    }

    static void Measure(int classes, int perClass, int side, int inputSize)
    {
        using var dir = new TempFolder();
        var clock = Stopwatch.StartNew();
        Generate(dir.Path, classes, perClass, side);
        TestContext.Progress.WriteLine($"generated {classes}x{perClass} PNGs of {side}x{side} in {clock.Elapsed.TotalSeconds:F1} s");
        GC.Collect();
        long before = Process.GetCurrentProcess().PeakWorkingSet64;
        clock.Restart();
        var source = new ImageFolder(dir.Path);
        var data = source.Load(DatasetShape.For(source, inputSize), null);
        double seconds = clock.Elapsed.TotalSeconds;
        var process = Process.GetCurrentProcess();
        TestContext.Progress.WriteLine($"loaded {data.Train.Count + data.Test.Count} images at {data.Train.Shape} in {seconds:F1} s; "
            + $"stored {(data.Train.Pixels.LongLength + data.Test.Pixels.LongLength) / 1e6:F0} MB; peak working set {process.PeakWorkingSet64 / 1e6:F0} MB "
            + $"(before loading {before / 1e6:F0} MB); load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Assert.That(data.Train.Count + data.Test.Count, Is.EqualTo(classes * perClass));
        Assert.That(data.ClassCount, Is.EqualTo(classes));

        string runs = Path.Combine(dir.Path, "..", Path.GetFileName(dir.Path) + "-runs");
        try
        {
            clock.Restart();
            using var child = HostProcess.Start(Path.GetTempPath(), "train", "--dataset", dir.Path, "--input-size", inputSize.ToString(),
                "--layers", $"1x{inputSize}x{inputSize},c16k3,p,c32k3,p,f,64,32l", "--epochs", "1", "--pairs-per-epoch", "3200",
                "--oneshot-trials", "200", "--accelerator", "simd", "--quiet", "--runs", runs);
            var (code, output, error) = child.WaitForExit(TimeSpan.FromHours(1));
            Assert.That(code, Is.EqualTo(0), error);
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.GetDirectories(runs).Single(), "metrics.json")));
            long peak = metrics.RootElement.GetProperty("peak_rss_bytes").GetInt64();
            TestContext.Progress.WriteLine($"trained 1 epoch of 3,200 pairs and evaluated in {clock.Elapsed.TotalSeconds:F1} s; the run's peak RSS " +
                $"{peak / 1048576.0:F0} MiB; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            TestContext.Progress.WriteLine(string.Join("\n", output.Split('\n').Where(l => l.StartsWith("training") || l.StartsWith("seen") || l.StartsWith("test classes"))));
            Assert.That(peak, Is.LessThan(2L << 30), "the issue's 2 GB");
        }
        finally
        {
            if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
        }
    }

    [Test]
    public void OmniglotShapedThousandClasses() => Measure(1000, 20, 105, 105);

    [Test]
    public void HundredThousandImagesOf64() => Measure(100, 1000, 64, 64);
}
