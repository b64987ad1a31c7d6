using System.Text.Json.Nodes;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Host.Runs;

/// <summary>
/// The content of metrics.json: the run's settings and the Model's own result records (<see cref="TrainingOutcome"/>'s
/// parts) as they are; property names become snake_case (see <see cref="MetricsFile"/>).
/// </summary>
public sealed record RunMetrics(
    string Tool,
    DateTime CreatedUtc,
    ulong Seed,
    string Accelerator,
    JsonObject Configuration,
    IReadOnlyList<EpochReport> Epochs,
    TestMetrics Test,
    StageTimings Timings,
    long PeakRssBytes,
    string Checkpoint,
    OneShotResult? OneShot = null,
    IdentificationResult? Identification = null);

/// <summary>
/// metrics.json's "configuration": the training configuration as it was run (<see cref="TrainingConfig.ToJson"/>:
/// the network, then each setting under its key) and the run's test-set, resume and preset settings.
/// </summary>
public static class RunConfiguration
{
    public static JsonObject From(TrainOptions o)
    {
        var json = o.Training.ToJson();
        json["positives_per_digit"] = o.PositivesPerDigit;
        json["negatives_per_pair"] = o.NegativesPerPair;
        json["resume"] = o.Resume;
        json["preset"] = o.Preset;
        return json;
    }
}
