using System.Text.Json.Nodes;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;

namespace GpuSiamese.Host.Runs;

/// <summary>The content of metrics.json; property names become snake_case (see <see cref="MetricsFile"/>).</summary>
public sealed record RunMetrics(
    string Tool,
    DateTime CreatedUtc,
    ulong Seed,
    string Accelerator,
    JsonObject Configuration,
    IReadOnlyList<EpochEntry> Epochs,
    TestEntry Test,
    TimingEntry Timings,
    long PeakRssBytes,
    string Checkpoint,
    OneShotEntry? OneShot = null,
    IdentificationEntry? Identification = null);

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

public sealed record EpochEntry(int Epoch, double MeanLoss, double TrainAccuracy, double ValidationAccuracy,
    double ValidationAuc, double Threshold, double LearningRate, double Seconds, double PairsPerSecond);

/// <summary>
/// Test-set figures; <see cref="Threshold"/> is the model's (chosen on validation). <see cref="YoudenThreshold"/> is
/// null when no threshold separates the classes (Youden's J ≤ 0 everywhere: a degenerate set or a useless model).
/// </summary>
public sealed record TestEntry(int Pairs, int SamePairs, int DifferentPairs, double Auc, double? YoudenThreshold,
    double YoudenAccuracy, double Eer, double Threshold, double AccuracyAtThreshold);

public sealed record TimingEntry(double DataSeconds, double TrainingSeconds, double EvaluationSeconds, double TotalSeconds);

/// <summary>One-shot N-way accuracy on the test split and its 95% confidence interval.</summary>
public sealed record OneShotEntry(int Ways, int Trials, double Accuracy, double CiLow, double CiHigh);

/// <summary>Identification of the test images against a gallery of training images, "unknown" above <see cref="Threshold"/>.</summary>
public sealed record IdentificationEntry(int GalleryPerDigit, int Probes, double Threshold, double Accuracy,
    double UnknownRate, double AnsweredAccuracy);
