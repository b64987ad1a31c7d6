using System.Text.Json;
using System.Text.Json.Serialization;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;

namespace GpuSiamese.Host.Runs;

/// <summary>Writes metrics.json: snake_case names, enums as lower-case strings, written to a temporary file then renamed.</summary>
public static class MetricsFile
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Assembles the record of a finished training run.</summary>
    public static RunMetrics Build(TrainOptions options, TrainingOutcome outcome, DateTime createdUtc,
        double totalSeconds, long peakRssBytes, string checkpointFileName)
    {
        int same = outcome.Test.Labels.Count(l => l == 0);
        var m = outcome.Metrics;
        return new RunMetrics(
            Tool: "gpusiamese",
            CreatedUtc: createdUtc,
            Seed: options.Seed,
            Accelerator: outcome.Accelerator,
            Configuration: RunConfiguration.From(options),
            Epochs: outcome.History.Select(e => new EpochEntry(e.Epoch, e.MeanLoss, e.TrainAccuracy,
                e.ValidationAccuracy, e.ValidationAuc, e.Threshold, e.LearningRate, e.Seconds, e.PairsPerSecond)).ToArray(),
            Test: new TestEntry(outcome.Test.Labels.Length, same, outcome.Test.Labels.Length - same, m.Auc,
                double.IsFinite(m.YoudenThreshold) ? m.YoudenThreshold : null, m.YoudenAccuracy, m.Eer, m.Threshold, m.AccuracyAtThreshold),
            Timings: new TimingEntry(outcome.Timings.DataSeconds, outcome.Timings.TrainingSeconds,
                outcome.Timings.EvaluationSeconds, totalSeconds),
            PeakRssBytes: peakRssBytes,
            Checkpoint: checkpointFileName,
            OneShot: outcome.Recognition?.OneShot is { } o ? new OneShotEntry(o.Ways, o.Trials, o.Accuracy, o.Low, o.High) : null,
            Identification: outcome.Recognition?.Identification is { } i
                ? new IdentificationEntry(i.GalleryPerDigit, i.Probes, i.Threshold, i.Accuracy, i.UnknownRate, i.AnsweredAccuracy)
                : null);
    }

    public static void Write(string path, RunMetrics metrics) =>
        Output.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(metrics, Json) + "\n");
}
