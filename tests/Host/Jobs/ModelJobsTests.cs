using System.Text.Json;
using GpuSiamese.Model.Runs;
using GpuSiamese.Data;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using SkiaSharp;

namespace GpuSiamese.Tests.Host.Jobs;

public class ModelJobsTests
{
    [Test]
    public void The_hosts_defaults_are_the_models() =>
        Assert.That(new TrainOptions().Training, Is.EqualTo(new TrainingConfig()), "the host's defaults are the Model's");

    [Test]
    public void The_simd_backend_is_always_there() =>
        Assert.That(new ModelJobs().ListDevices().Select(d => d.Accelerator), Does.Contain("simd"));
}

/// <summary>
/// The commands on the real engine and real MNIST (fetched by the data layer when missing): a short training run
/// with the SIMD backend, then eval, embed and compare on its checkpoint — compare on digits drawn with SkiaSharp.
/// </summary>
[NonParallelizable]
public class ModelJobsOnMnistTests
{
    TempFolder _dir = null!;
    string _run = "";
    MnistData _mnist = null!;

    [OneTimeSetUp]
    public void TrainOnce()
    {
        try { _mnist = Mnist.Load(null, null); }
        catch (MnistUnavailableException e) { Assert.Ignore("MNIST is not available here: " + e.Message); }
        _dir = new TempFolder();
        var run = HostRun.Of(new ModelJobs(), "train", "--accelerator", "simd", "--epochs", "2", "--pairs-per-epoch", "15000",
            "--positives-per-digit", "60", "--negatives-per-pair", "15", "--runs", _dir.Path, "--seed", "3");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        _run = Directory.GetDirectories(_dir.Path).Single();
    }

    [OneTimeTearDown]
    public void Clean() => _dir?.Dispose();

    string Model => Path.Combine(_run, "model.ckpt");

    [Test]
    public void Training_writes_a_complete_run_folder_with_a_useful_model()
    {
        Assert.That(Directory.GetFiles(_run).Select(Path.GetFileName), Is.EquivalentTo(new[]
            { "model.ckpt", "metrics.json", "roc.png", "training.png", "distances.png", "errors.png", "embeddings.png" }));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_run, "metrics.json")));
        var test = json.RootElement.GetProperty("test");
        Assert.That(test.GetProperty("pairs").GetInt32(), Is.EqualTo(600 + 675));
        Assert.That(test.GetProperty("auc").GetDouble(), Is.GreaterThan(0.93));
        Assert.That(json.RootElement.GetProperty("epochs").GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.RootElement.GetProperty("accelerator").GetString(), Does.StartWith("simd"));
        var oneShot = json.RootElement.GetProperty("one_shot");
        Assert.That((oneShot.GetProperty("ways").GetInt32(), oneShot.GetProperty("trials").GetInt32()), Is.EqualTo((10, 2000)));
        Assert.That(oneShot.GetProperty("accuracy").GetDouble(), Is.GreaterThan(0.5), "far above the 0.1 of chance");
        var identification = json.RootElement.GetProperty("identification");
        Assert.That(identification.GetProperty("probes").GetInt32(), Is.EqualTo(10_000));
        Assert.That(identification.GetProperty("accuracy").GetDouble(), Is.GreaterThan(0.5));
    }

    [Test]
    public void Eval_reports_one_shot_and_identification_on_the_test_split()
    {
        var run = HostRun.Of(new ModelJobs(), "eval", "--model", Model, "--accelerator", "simd", "--seed", "3",
            "--positives-per-digit", "10", "--negatives-per-pair", "2", "--oneshot-ways", "5", "--oneshot-trials", "400",
            "--gallery-per-digit", "3");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        string oneShot = run.Out.Split('\n').Single(l => l.StartsWith("one-shot", StringComparison.Ordinal));
        Assert.That(oneShot, Does.Contain("5-way").And.Contain("400 trials").And.Contain("chance 0.2000"));
        string identification = run.Out.Split('\n').Single(l => l.StartsWith("identification", StringComparison.Ordinal));
        Assert.That(identification, Does.Contain("(3 per digit, 10000 probes, unknown above "));

        // An unknown threshold below every distance answers "unknown" to every probe; a huge one to none.
        var none = HostRun.Of(new ModelJobs(), "eval", "--model", Model, "--accelerator", "simd", "--positives-per-digit", "10",
            "--negatives-per-pair", "2", "--oneshot-trials", "0", "--unknown-threshold", "1e-9");
        Assert.That(none.ExitCode, Is.EqualTo(0), none.Error);
        Assert.That(none.Out, Does.Contain("identification  accuracy 0.0000  unknown 1.0000  answered accuracy NaN"));
        Assert.That(none.Out, Does.Not.Contain("one-shot"));
        var all = HostRun.Of(new ModelJobs(), "eval", "--model", Model, "--accelerator", "simd", "--positives-per-digit", "10",
            "--negatives-per-pair", "2", "--gallery-per-digit", "0", "--unknown-threshold", "1e9");
        Assert.That(all.ExitCode, Is.EqualTo(0), all.Error);
        Assert.That(all.Out, Does.Contain("one-shot").And.Not.Contain("identification"));
    }

    [Test]
    public void Eval_with_the_training_seed_scores_the_same_test_pairs()
    {
        string csv = Path.Combine(_dir.Path, "d.csv");
        var run = HostRun.Of(new ModelJobs(), "eval", "--model", Model, "--accelerator", "simd", "--seed", "3",
            "--positives-per-digit", "60", "--negatives-per-pair", "15", "--distances", csv);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_run, "metrics.json")));
        double auc = json.RootElement.GetProperty("test").GetProperty("auc").GetDouble();
        Assert.That(run.Out, Does.Contain($"AUC             {auc:F4}"));
        Assert.That(File.ReadAllLines(csv), Has.Length.EqualTo(1 + 1275));
    }

    [Test]
    public void Eval_scores_an_npy_pair_file()
    {
        var set = BalancedPairSet.Create(_mnist.Test, new Rng(11), 5, 2);
        var pixels = new float[set.Count * PairArrays.PairSize];
        for (int p = 0; p < set.Count; p++)
        {
            _mnist.Test.Pixels.AsSpan(set.Left[p] * 196, 196).CopyTo(pixels.AsSpan(p * 392));
            _mnist.Test.Pixels.AsSpan(set.Right[p] * 196, 196).CopyTo(pixels.AsSpan(p * 392 + 196));
        }
        string pairs = Path.Combine(_dir.Path, "p.npy"), labels = Path.Combine(_dir.Path, "l.npy");
        Npy.WritePairs(pairs, labels, new PairArrays(pixels, set.Labels));
        var run = HostRun.Of(new ModelJobs(), "eval", "--model", Model, "--accelerator", "simd", "--pairs", pairs, "--labels", labels);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("test pairs      140 (50 same digit, 90 different)"));
    }

    [Test]
    public void Embed_writes_one_row_per_test_image()
    {
        string npy = Path.Combine(_dir.Path, "e.npy");
        var run = HostRun.Of(new ModelJobs(), "embed", "--model", Model, "--accelerator", "simd", "--split", "test", "--out", npy);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("embeddings      10000 x 10"));
    }

    [Test]
    public void A_checkpoint_that_is_not_one_is_a_one_line_error()
    {
        string fake = Path.Combine(_dir.Path, "fake.ckpt");
        File.WriteAllText(fake, "hello");
        var run = HostRun.Of(new ModelJobs(), "eval", "--model", fake, "--accelerator", "simd");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith("error: checkpoint '" + fake + "'"));
    }

    /// <summary>A large black-on-white digit drawn with strokes, off-centre on a 300x240 canvas.</summary>
    static string Draw(string dir, string name, Action<SKCanvas, SKPaint> strokes)
    {
        using var bitmap = new SKBitmap(300, 240);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var pen = new SKPaint { Color = SKColors.Black, StrokeWidth = 16, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round };
        strokes(canvas, pen);
        string path = Path.Combine(dir, name);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using (var file = File.Create(path)) data.SaveTo(file);
        return path;
    }

    /// <summary>The first test image of <paramref name="digit"/> as a PNG (white on black, as MNIST).</summary>
    string MnistPng(int digit)
    {
        int index = Array.IndexOf(_mnist.Test.Labels, (byte)digit);
        string path = Path.Combine(_dir.Path, $"mnist-{digit}.png");
        DigitImage.SavePreprocessed(path, _mnist.Test.Pixels.AsSpan(index * 196, 196));
        return path;
    }

    double Distance(string a, string b)
    {
        var run = HostRun.Of(new ModelJobs(), "compare", "--model", Model, "--accelerator", "simd", a, b);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        string line = run.Out.Split('\n').Single(l => l.StartsWith("distance", StringComparison.Ordinal));
        return double.Parse(line["distance".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Test]
    public void Drawn_digits_are_closer_to_their_own_digit_from_mnist()
    {
        string one = Draw(_dir.Path, "drawn-1.png", (c, p) => c.DrawLine(210, 30, 200, 210, p));
        string zero = Draw(_dir.Path, "drawn-0.png", (c, p) => c.DrawOval(90, 120, 55, 85, p));
        string mnistOne = MnistPng(1), mnistZero = MnistPng(0);
        Assert.That(Distance(one, mnistOne), Is.LessThan(Distance(one, mnistZero)));
        Assert.That(Distance(zero, mnistZero), Is.LessThan(Distance(zero, mnistOne)));
    }

    [Test]
    public void Compare_saves_what_the_network_saw()
    {
        string one = Draw(_dir.Path, "seen-1.png", (c, p) => c.DrawLine(210, 30, 200, 210, p));
        string seen = Path.Combine(_dir.Path, "seen");
        var run = HostRun.Of(new ModelJobs(), "compare", "--model", Model, "--accelerator", "simd", one, one, "--save-preprocessed", seen);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("verdict         same digit"));
        using var bitmap = SKBitmap.Decode(Path.Combine(seen, "1-seen-1-14x14.png"));
        Assert.That(bitmap.GetPixel(140, 140).Red, Is.GreaterThan(128), "the stroke is centred and white, as in MNIST");
        Assert.That(bitmap.GetPixel(5, 5).Red, Is.EqualTo(0));
    }
}
