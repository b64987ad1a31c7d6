using System.Text.Json;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Tests.Data;

namespace GpuSiamese.Tests.Host;

/// <summary>
/// The whole program on a folder of the user's own images (issue 13): a tiny RGB folder of four classes trained
/// with one class held out, then eval, compare and embed on the checkpoint that run wrote. Every command must read
/// the images the way training did (size, channels, class names from the checkpoint) and report seen and unseen
/// classes apart.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FolderDatasetCommandTests
{
    static readonly string[] Classes = ["checks", "rings", "stripes", "waves"];
    const int PerClass = 12, Side = 20;

    TempFolder _dir = null!;
    string _data = "", _runFolder = "", _model = "";
    HostRun _train = null!;

    [OneTimeSetUp]
    public void TrainWithOneClassHeldOut()
    {
        _dir = new TempFolder();
        _data = _dir.File("shapes");
        var random = new Random(7);
        foreach (var (name, c) in Classes.Select((n, i) => (n, i)))
        {
            Directory.CreateDirectory(Path.Combine(_data, name));
            for (int k = 0; k < PerClass; k++)
                File.WriteAllBytes(Path.Combine(_data, name, $"{name}-{k:D2}.png"),
                    ImageBytes.Png(Pattern(c, random), Side, Side, ImageBytes.PngKind.Rgb8));
        }
        string runs = _dir.File("runs");
        _train = HostRun.Of(new ModelJobs(), "train", "--dataset", _data, "--input-size", "16", "--channels", "3",
            "--holdout-classes", "waves", "--layers", "3x16x16,c4k3,p,f,8l", "--epochs", "1", "--pairs-per-epoch", "64",
            "--batch", "16", "--monitor-pairs", "20", "--oneshot-trials", "20", "--accelerator", "simd", "--seed", "3",
            "--quiet", "--runs", runs);
        Assert.That(_train.ExitCode, Is.EqualTo(0), _train.Error);
        _runFolder = Directory.GetDirectories(runs).Single();
        _model = Path.Combine(_runFolder, "model.ckpt");
    }

    [OneTimeTearDown]
    public void Remove() => _dir?.Dispose();

    /// <summary>An RGB image of class <paramref name="c"/>: its own pattern in a random colour, with noise.</summary>
    static byte[] Pattern(int c, Random random)
    {
        var rgba = new byte[Side * Side * 4];
        var colour = new[] { random.Next(80, 256), random.Next(80, 256), random.Next(80, 256) };
        int phase = random.Next(4);
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                bool on = c switch
                {
                    0 => ((x + phase) / 4 + y / 4) % 2 == 0,
                    1 => (int)Math.Sqrt((x - 10) * (x - 10) + (y - 10) * (y - 10)) / 3 % 2 == 0,
                    2 => (y + phase) / 3 % 2 == 0,
                    _ => (y + (int)(3 * Math.Sin((x + phase) / 2.0))) / 4 % 2 == 0,
                };
                int i = (y * Side + x) * 4;
                for (int ch = 0; ch < 3; ch++)
                    rgba[i + ch] = (byte)Math.Clamp((on ? colour[ch] : 20) + random.Next(-15, 16), 0, 255);
                rgba[i + 3] = 255;
            }
        return rgba;
    }

    [Test]
    public void TrainingReportsSeenAndUnseenClassesByName()
    {
        Assert.That(_train.Out, Does.Contain("held out").And.Contain("waves"));
        Assert.That(_train.Out, Does.Match(@"seen classes\s+3 classes"));
        Assert.That(_train.Out, Does.Match(@"unseen classes\s+1 classes"));
        Assert.That(File.Exists(Path.Combine(_runFolder, "embeddings.png")), "embeddings.png");
        var checkpoint = CheckpointFile.LoadForInference(_model, null);
        Assert.That(checkpoint.Network.ToString(), Is.EqualTo("3x16x16,c4k3,p,f,8l"));
        Assert.That(checkpoint.Training.Dataset, Is.EqualTo(Path.GetFullPath(_data)), "the folder as a full path, found from any working directory");
    }

    [Test]
    public void MetricsJsonRecordsBothClassSets()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_runFolder, "metrics.json")));
        string text = json.RootElement.GetRawText();
        foreach (var name in Classes)
            Assert.That(text, Does.Contain($"\"{name}\""), name);
        Assert.That(text, Does.Contain("unseen"));
    }

    [Test]
    public void EvalReloadsTheFolderAtTheModelsShape()
    {
        var run = HostRun.Of(new ModelJobs(), "eval", "--model", _model, "--accelerator", "simd", "--seed", "3");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("AUC"));
        Assert.That(run.Out, Does.Not.Contain("digit"), "a folder's classes are classes, not digits");
    }

    [Test]
    public void CompareReadsTwoImagesAsTrainingDid()
    {
        string a = Path.Combine(_data, "rings", "rings-00.png"), b = Path.Combine(_data, "stripes", "stripes-00.png");
        var run = HostRun.Of(new ModelJobs(), "compare", "--model", _model, a, b, "--accelerator", "simd");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("distance").And.Contain("verdict"));
        var same = HostRun.Of(new ModelJobs(), "compare", "--model", _model, a, a, "--accelerator", "simd");
        Assert.That(same.ExitCode, Is.EqualTo(0), same.Error);
        Assert.That(same.Out, Does.Match(@"distance\s+0\.00"), "an image against itself");
    }

    [Test]
    public void EmbedWritesOneRowPerImageAtTheModelsWidth()
    {
        string npy = _dir.File("e.npy");
        var files = Classes.Select(c => Path.Combine(_data, c, $"{c}-01.png")).ToArray();
        var run = HostRun.Of(new ModelJobs(), ["embed", "--model", _model, .. files, "--out", npy, "--accelerator", "simd"]);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        byte[] bytes = File.ReadAllBytes(npy);
        int header = bytes[8] | bytes[9] << 8;
        string dict = System.Text.Encoding.ASCII.GetString(bytes, 10, header);
        Assert.That(dict, Does.Contain("'shape': (4, 8)"));
        var values = new float[4 * 8];
        Buffer.BlockCopy(bytes, 10 + header, values, 0, values.Length * 4);
        Assert.That(values, Has.All.Not.NaN);
        Assert.That(values.Take(8), Is.Not.EqualTo(values.Skip(8).Take(8)), "different images, different embeddings");
    }

    [Test]
    public void EmbedOfTheTestSplitLabelsRowsWithClassNames()
    {
        string csv = _dir.File("split.csv");
        var run = HostRun.Of(new ModelJobs(), "embed", "--model", _model, "--split", "test", "--out", csv, "--accelerator", "simd", "--seed", "3");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var lines = File.ReadAllLines(csv);
        Assert.That(lines.Length, Is.GreaterThan(1));
        Assert.That(string.Join("\n", lines.Skip(1)), Does.Contain("rings"), "rows name their class");
    }
}
