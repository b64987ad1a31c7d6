using System.Diagnostics;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Host;
using SkiaSharp;
using static GpuSiamese.Tests.Data.ImageBytes;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// A seeded fuzz of the image path: 2,000 valid but odd image files (noise, flat colours, drawn digits of any size
/// and colour; 1x1 to 4000x3000; 1-, 8- and 16-bit PNG in grey, grey+alpha, RGB, RGBA and palette; JPEG with each EXIF
/// orientation; WebP; BMP; animated GIF) through <c>compare</c> in-process with the real engine. Each must end in a
/// verdict (exit 0, with or without warning lines) or a one-line refusal naming the file (exit 2): never an exception,
/// another exit code or a stack trace.
/// </summary>
public class ImageFuzzTests : SmallRunFixture
{
    const int Images = 2000;

    [Test]
    public void Every_odd_image_ends_in_a_verdict_a_warning_or_a_one_line_refusal()
    {
        string model = SmallRun.WriteCheckpoint(Dir.File("fuzz.ckpt"));
        string good = Dir.File("seven.png");
        using (var seven = DrawnDigits.Seven(56, 56, 12, 8, 32, SKColors.Black, SKColors.White))
            File.WriteAllBytes(good, DrawnDigits.Encode(seven, SKEncodedImageFormat.Png));
        var random = new Random(20261201);
        var clock = Stopwatch.StartNew();
        int verdicts = 0, warned = 0, refused = 0;
        var refusals = new Dictionary<string, int>();
        var failures = new List<string>();
        long pixels = 0;
        for (int n = 0; n < Images; n++)
        {
            var (w, h) = Size(n, random);
            pixels += (long)w * h;
            byte[] rgba = Content(random, w, h, out string content);
            var (bytes, extension, format) = Encode(random, rgba, w, h);
            string path = Dir.File($"fuzz-{n}.{extension}");
            File.WriteAllBytes(path, bytes);
            string what = $"image {n}: {w}x{h} {content} as {format}";
            HostRun run;
            try
            {
                run = SmallRun.Train("compare", "--model", model, good, path, "--accelerator", "simd");
            }
            catch (Exception e)
            {
                failures.Add($"{what}: {e.GetType().Name} escaped: {e.Message}");
                continue;
            }
            finally
            {
                File.Delete(path);
            }
            var errors = run.ErrorLines;
            if (run.ExitCode == 0 && run.Out.Contains("verdict") && errors.All(l => l.StartsWith($"warning: {path}: ")))
            {
                verdicts++;
                if (errors.Length > 0) warned++;
            }
            else if (run.ExitCode == 2 && errors.Length == 1 && errors[0].StartsWith($"error: {path}: "))
            {
                refused++;
                // The kind of refusal: its words up to the first figure ("no digit: the image is one flat colour").
                string reason = errors[0][$"error: {path}: ".Length..];
                int figure = reason.IndexOfAny("0123456789(".ToCharArray());
                reason = (figure > 0 ? reason[..figure] : reason).Trim();
                refusals[reason] = refusals.GetValueOrDefault(reason) + 1;
            }
            else
                failures.Add($"{what}: exit {run.ExitCode}, stderr: {run.Error.Trim()}");
            if (failures.Count >= 10) break;
        }
        TestContext.Out.WriteLine($"{Images} images ({pixels / 1e6:F0} megapixels) in {clock.Elapsed.TotalSeconds:F0} s: " +
            $"{verdicts} verdicts ({warned} with warnings), {refused} refusals ({string.Join(", ", refusals.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}"))})");
        Assert.That(failures, Is.Empty);
        Assert.That(verdicts > 0 && warned > 0 && refused > 0, Is.True, "the fuzz reaches verdicts, warnings and refusals");
    }

    /// <summary>The extremes first (1x1, 4000x3000, 1x3000, 4000x1), then log-uniform sides, large ones rare.</summary>
    static (int W, int H) Size(int n, Random random)
    {
        switch (n)
        {
            case 0: return (1, 1);
            case 1: return (4000, 3000);
            case 2: return (1, 3000);
            case 3: return (4000, 1);
        }
        int w = (int)Math.Round(Math.Exp(random.NextDouble() * Math.Log(4000)));
        int h = (int)Math.Round(Math.Exp(random.NextDouble() * Math.Log(3000)));
        // Keep the run short: over a megapixel only one image in twenty.
        while ((long)w * h > 1_000_000 && random.Next(20) != 0) { w = Math.Max(1, w / 2); h = Math.Max(1, h / 2); }
        return (w, h);
    }

    /// <summary>RGBA pixels: noise, a flat colour, a gradient, sparse dots, or a 7 drawn at a random place, size and colours.</summary>
    static byte[] Content(Random random, int w, int h, out string content)
    {
        var rgba = new byte[4L * w * h];
        switch (random.Next(6))
        {
            case 0:
                content = "noise";
                random.NextBytes(rgba);
                break;
            case 1:
                content = "flat";
                var colour = new byte[4];
                random.NextBytes(colour);
                for (long i = 0; i < rgba.Length; i += 4) colour.CopyTo(rgba, i);
                break;
            case 2:
                content = "gradient";
                for (long i = 0; i < rgba.Length; i += 4)
                {
                    byte v = (byte)(255 * (i / 4 % w) / Math.Max(1, w - 1));
                    rgba[i] = rgba[i + 1] = rgba[i + 2] = v;
                    rgba[i + 3] = 255;
                }
                break;
            case 3:
                content = "dots";
                Array.Fill(rgba, (byte)255);
                for (int k = random.Next(1, 6); k > 0; k--)
                {
                    long p = 4 * (long)random.NextInt64((long)w * h);
                    rgba[p] = rgba[p + 1] = rgba[p + 2] = 0;
                }
                break;
            default:
                content = "a drawn 7";
                var ink = new SKColor((uint)random.Next() | 0xFF000000);
                var paper = random.Next(3) == 0 ? new SKColor((uint)random.Next()) : SKColors.White;
                float size = (float)(Math.Min(w, h) * (0.05 + 0.9 * random.NextDouble()));
                using (var bitmap = DrawnDigits.Seven(w, h, (float)(random.NextDouble() * w * 0.5), (float)(random.NextDouble() * h * 0.5), size, ink, paper))
                    bitmap.GetPixelSpan().CopyTo(rgba);
                break;
        }
        return rgba;
    }

    static (byte[] Bytes, string Extension, string Format) Encode(Random random, byte[] rgba, int w, int h)
    {
        int choice = random.Next(16);
        if (choice < 10)
        {
            var kind = (PngKind)choice;
            return (Png(rgba, w, h, kind), "png", $"PNG {kind}");
        }
        if (choice == 10 && (long)w * h <= 250_000)
        {
            int frames = random.Next(2, 4);
            return (AnimatedGif(rgba, w, h, frames), "gif", $"animated GIF of {frames} frames");
        }
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        rgba.CopyTo(bitmap.GetPixelSpan());
        switch (choice)
        {
            case 11:
            case 12:
                int orientation = random.Next(1, 9), quality = random.Next(5, 101);
                return (JpegWithOrientation(bitmap, quality, orientation), "jpg", $"JPEG q{quality} EXIF orientation {orientation}");
            case 13:
                return (DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Webp, random.Next(5, 101)), "webp", "WebP");
            case 14:
                return (DrawnDigits.Bmp(bitmap), "bmp", "BMP 24-bit");
            default:
                return (DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png), "png", "PNG (Skia) RGBA");
        }
    }
}
