using System.Text.Json;
using System.Text.Json.Serialization;
using GpuSiamese.Model.Runs;
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
        double totalSeconds, long peakRssBytes, string checkpointFileName) =>
        new(
            Tool: "gpusiamese",
            CreatedUtc: createdUtc,
            Seed: options.Seed,
            Accelerator: outcome.Accelerator,
            Configuration: RunConfiguration.From(options),
            Epochs: outcome.History,
            Test: outcome.Metrics,
            Timings: outcome.Timings with { TotalSeconds = totalSeconds },
            PeakRssBytes: peakRssBytes,
            Checkpoint: checkpointFileName,
            OneShot: outcome.Recognition?.OneShot,
            Identification: outcome.Recognition?.Identification);

    public static void Write(string path, RunMetrics metrics) =>
        Output.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(metrics, Json) + "\n");
}
