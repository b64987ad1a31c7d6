using System.Text.Json;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Runs;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Host.Runs;

public class MetricsFileTests
{
    [Test]
    public void Names_are_snake_case_enums_lower_case_and_nan_survives()
    {
        var options = new TrainOptions { Accelerator = AcceleratorChoice.OpenCl, Training = new TrainingConfig { Schedule = LearningRateSchedule.Cosine } };
        var outcome = new TrainingOutcome("x", [new EpochReport(1, double.NaN, 0.5, 0.5, double.NaN, double.NaN, double.NaN, 2,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))],
            new PairScores([1f], [0], null), FakeModelJobs.Metrics, FakeModelJobs.Roc, new StageTimings(1, 2, 3, 6));
        using var dir = new TempFolder();
        string path = dir.File("metrics.json");
        MetricsFile.Write(path, MetricsFile.Build(options, outcome, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), 9, 1234, "model.ckpt"));
        string text = File.ReadAllText(path);
        Assert.That(text, Does.Contain("\"lr_schedule\": \"cosine\"").And.Contain("\"peak_rss_bytes\": 1234")
            .And.Contain("\"mean_loss\": \"NaN\"").And.Contain("\"created_utc\": \"2026-01-01T00:00:00Z\""));
        using var json = JsonDocument.Parse(text);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name);
        Assert.That(names, Is.EqualTo(new[] { "tool", "created_utc", "seed", "accelerator", "configuration", "epochs", "test",
            "timings", "peak_rss_bytes", "checkpoint", "one_shot", "identification", "classes" }));
        var tar = json.RootElement.GetProperty("test").GetProperty("tar_at_far")[0];
        Assert.That((tar.GetProperty("far").GetDouble(), tar.GetProperty("threshold").GetDouble(), tar.GetProperty("tar").GetDouble()),
            Is.EqualTo((0.01, 0.4, 0.7321)));
        Assert.That(Directory.GetFiles(dir.Path), Has.Length.EqualTo(1), "no temporary file left");
    }

    [Test]
    public void The_triplet_and_dropout_settings_are_recorded()
    {
        var options = new TrainOptions { Training = new TrainingConfig { Loss = LossKind.Triplet, TripletMargin = 0.5, Mining = TripletMining.BatchHard, MiningWarmupEpochs = 2, Dropout = 0.1 } };
        var outcome = new TrainingOutcome("x", [], new PairScores([1f], [0], null), FakeModelJobs.Metrics, FakeModelJobs.Roc,
            new StageTimings(1, 2, 3, 6), null);
        using var dir = new TempFolder();
        string path = dir.File("metrics.json");
        MetricsFile.Write(path, MetricsFile.Build(options, outcome, DateTime.UnixEpoch, 9, 1234, "model.ckpt"));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var c = json.RootElement.GetProperty("configuration");
        Assert.That((c.GetProperty("loss").GetString(), c.GetProperty("triplet_margin").GetDouble(), c.GetProperty("mining").GetString(),
            c.GetProperty("mining_warmup").GetInt32(), c.GetProperty("dropout").GetDouble()),
            Is.EqualTo(("triplet", 0.5, "batch-hard", 2, 0.1)));
    }

    [Test]
    public void The_recognition_figures_and_the_preset_are_recorded()
    {
        var options = new TrainOptions { Preset = "best" };
        var outcome = new TrainingOutcome("x", [], new PairScores([1f], [0], null), FakeModelJobs.Metrics, FakeModelJobs.Roc,
            new StageTimings(1, 2, 3, 6), FakeModelJobs.Recognition);
        using var dir = new TempFolder();
        string path = dir.File("metrics.json");
        MetricsFile.Write(path, MetricsFile.Build(options, outcome, DateTime.UnixEpoch, 9, 1234, "model.ckpt"));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.That(root.GetProperty("configuration").GetProperty("preset").GetString(), Is.EqualTo("best"));
        var oneShot = root.GetProperty("one_shot");
        Assert.That(oneShot.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "ways", "trials", "accuracy", "ci_low", "ci_high" }));
        Assert.That((oneShot.GetProperty("ways").GetInt32(), oneShot.GetProperty("trials").GetInt32(), oneShot.GetProperty("ci_low").GetDouble()),
            Is.EqualTo((10, 2000, 0.9476)));
        var identification = root.GetProperty("identification");
        Assert.That(identification.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            { "gallery_per_digit", "probes", "threshold", "accuracy", "unknown_rate", "answered_accuracy", "fpir", "miss_rate_at_fpir" }));
        Assert.That((identification.GetProperty("probes").GetInt32(), identification.GetProperty("unknown_rate").GetDouble()),
            Is.EqualTo((10_000, 0.0012)));
    }
}
