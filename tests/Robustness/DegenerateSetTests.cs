using System.Text.Json;
using GpuSiamese.Model.Runs;
using GpuSiamese.Data;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Runs;
using GpuSiamese.Tests.Host;
using TempFolder = GpuSiamese.Tests.Host.TempFolder;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// Sets on which no threshold separates same-digit from different-digit pairs: the figures say so in words, and
/// metrics.json stays JSON a reader takes as is (the Youden threshold is null, not "-Infinity").
/// </summary>
public class DegenerateSetTests
{
    [Test]
    public void Eval_on_pairs_that_all_score_alike_says_no_threshold_separates_them()
    {
        // Two pairs of one image each side: every distance is the same, one pair same and one different.
        using var dir = new TempFolder();
        string model = SmallRun.WriteCheckpoint(dir.File("m.ckpt"));
        var image = Enumerable.Range(0, 196).Select(i => (i % 5) / 4f).ToArray();
        float[] pixels = [.. image, .. image, .. image, .. image];
        Npy.WritePairs(dir.File("p.npy"), dir.File("l.npy"), new PairArrays(pixels, [0, 1]));
        var run = SmallRun.Train("eval", "--model", model, "--pairs", dir.File("p.npy"), "--labels", dir.File("l.npy"), "--accelerator", "simd");
        TestContext.Out.WriteLine(run.Out);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("Youden          none: no threshold separates same-digit from different-digit pairs (accuracy 0.5000 calling every pair different)"));
        Assert.That(run.Out, Does.Not.Contain("Infinity"));
    }

    [Test]
    public void Metrics_json_records_no_Youden_threshold_as_null()
    {
        var metrics = FakeModelJobs.Metrics with { YoudenThreshold = double.NegativeInfinity, YoudenAccuracy = 0.5 };
        var outcome = new TrainingOutcome("x", [], new PairScores([1f, 1f], [0, 1], null), metrics, FakeModelJobs.Roc, new StageTimings(1, 2, 3, 6));
        using var dir = new TempFolder();
        string path = dir.File("metrics.json");
        MetricsFile.Write(path, MetricsFile.Build(new TrainOptions(), outcome, DateTime.UnixEpoch, 9, 1234, "model.ckpt"));
        string text = File.ReadAllText(path);
        Assert.That(text, Does.Not.Contain("Infinity"));
        using var json = JsonDocument.Parse(text);
        var test = json.RootElement.GetProperty("test");
        Assert.That(test.GetProperty("youden_threshold").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(test.GetProperty("youden_accuracy").GetDouble(), Is.EqualTo(0.5));
    }
}
