using GpuSiamese.Host.Options;

namespace GpuSiamese.Host.Runs;

/// <summary>The content of metrics.json; property names become snake_case (see <see cref="MetricsFile"/>).</summary>
public sealed record RunMetrics(
    string Tool,
    DateTime CreatedUtc,
    ulong Seed,
    string Accelerator,
    RunConfiguration Configuration,
    IReadOnlyList<EpochEntry> Epochs,
    TestEntry Test,
    TimingEntry Timings,
    long PeakRssBytes,
    string Checkpoint,
    OneShotEntry? OneShot = null,
    IdentificationEntry? Identification = null);

/// <summary>The training configuration as it was run.</summary>
public sealed record RunConfiguration(
    int[] Layers, bool ReluOutput, LossChoice Loss, double Q, double Margin, OptimizerChoice Optimizer,
    double LearningRate, double Beta1, double Beta2, double AdamEps, double Rho, double Momentum, bool Nesterov,
    LrScheduleChoice LrSchedule, int LrStepEpochs, double LrGamma, double CosineFinal, int MonitorPairs, bool Augment, double AugmentShift,
    double AugmentRotation, double AugmentMinScale, double AugmentMaxScale, int Patience, double ClipNorm, int Epochs, int Batch,
    int PairsPerEpoch, double Validation, double Eps, int PositivesPerDigit, int NegativesPerPair, string? Resume,
    string? Preset = null, double TripletMargin = 1, MiningChoice Mining = MiningChoice.None, int MiningWarmup = 1,
    double Dropout = 0, string? LayerList = null)
{
    public static RunConfiguration From(TrainOptions o) => new(
        o.Layers, o.ReluOutput, o.Loss, o.Q, o.Margin, o.Optimizer, o.LearningRate, o.Beta1, o.Beta2, o.AdamEps, o.Rho,
        o.Momentum, o.Nesterov, o.LrSchedule, o.LrStepEpochs, o.LrGamma, o.CosineFinal, o.MonitorPairs, o.Augment, o.AugmentShift,
        o.AugmentRotation, o.AugmentMinScale, o.AugmentMaxScale, o.Patience, o.ClipNorm, o.Epochs, o.Batch, o.PairsPerEpoch,
        o.Validation, o.Eps, o.PositivesPerDigit, o.NegativesPerPair, o.Resume, o.Preset, o.TripletMargin, o.Mining,
        o.MiningWarmup, o.Dropout, o.LayerList);
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
