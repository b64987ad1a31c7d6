using System.Text.Json;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Runs;

namespace GpuSiamese.Tests.Host.Runs;

public class MetricsFileTests
{
    [Test]
    public void Names_are_snake_case_enums_lower_case_and_nan_survives()
    {
        var options = new TrainOptions { Accelerator = AcceleratorChoice.OpenCl, LrSchedule = LrScheduleChoice.Cosine };
        var outcome = new TrainingOutcome("x", [new EpochRecord(1, double.NaN, 0.5, 0.5, 1, 2)],
            new PairScores([1f], [0], null), FakeModelJobs.Metrics, FakeModelJobs.Roc, new StageTimings(1, 2, 3));
        using var dir = new TempFolder();
        string path = dir.File("metrics.json");
        MetricsFile.Write(path, MetricsFile.Build(options, outcome, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), 9, 1234, "model.ckpt"));
        string text = File.ReadAllText(path);
        Assert.That(text, Does.Contain("\"lr_schedule\": \"cosine\"").And.Contain("\"peak_rss_bytes\": 1234")
            .And.Contain("\"mean_loss\": \"NaN\"").And.Contain("\"created_utc\": \"2026-01-01T00:00:00Z\""));
        using var json = JsonDocument.Parse(text);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name);
        Assert.That(names, Is.EqualTo(new[] { "tool", "created_utc", "seed", "accelerator", "configuration", "epochs", "test",
            "timings", "peak_rss_bytes", "checkpoint" }));
        Assert.That(Directory.GetFiles(dir.Path), Has.Length.EqualTo(1), "no temporary file left");
    }
}
