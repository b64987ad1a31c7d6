namespace GpuSiamese.Host.Jobs;

/// <summary>
/// One epoch as recorded in metrics.json and drawn in training.png; the accuracies are taken at
/// <see cref="Threshold"/>, the Youden point of that epoch's validation ROC.
/// </summary>
public sealed record EpochRecord(int Epoch, double MeanLoss, double TrainAccuracy, double ValidationAccuracy,
    double Seconds, double PairsPerSecond, double ValidationAuc = double.NaN, double Threshold = double.NaN,
    double LearningRate = double.NaN);

/// <summary>
/// Figures of a scored pair set ("same digit" = positive class, score −E_w). <see cref="Threshold"/> is the model's own
/// (chosen on validation) and <see cref="AccuracyAtThreshold"/> the accuracy it gives on this set; the Youden pair is
/// this set's best threshold.
/// </summary>
public sealed record TestMetrics(double Auc, double YoudenThreshold, double YoudenAccuracy, double Eer,
    double Threshold, double AccuracyAtThreshold);

/// <summary>ROC points in order of decreasing distance threshold: FPR[i], TPR[i] when "same" means E_w ≤ Thresholds[i].</summary>
public sealed record RocCurve(double[] FalsePositiveRates, double[] TruePositiveRates, double[] Thresholds);

/// <summary>The two 14x14 images (196 floats in [0,1] each) of one pair.</summary>
public readonly record struct PairImages(float[] Left, float[] Right);

/// <summary>
/// Distances and labels (0 = same digit) of a scored pair set; <see cref="Images"/>, when present, gives a pair's images
/// by index so the host can draw the worst errors.
/// </summary>
public sealed record PairScores(float[] Distances, int[] Labels, Func<int, PairImages>? Images);

/// <summary>Wall-clock seconds of each stage of a run.</summary>
public sealed record StageTimings(double DataSeconds, double TrainingSeconds, double EvaluationSeconds);

/// <summary>
/// One-shot N-way accuracy over seeded trials on the test split (Koch et al. 2015) with its 95% confidence interval
/// [<see cref="Low"/>, <see cref="High"/>]; chance is 1/<see cref="Ways"/>.
/// </summary>
public sealed record OneShotFigures(int Ways, int Trials, double Accuracy, double Low, double High);

/// <summary>
/// Identification of every test image against a gallery of <see cref="GalleryPerDigit"/> training images per digit:
/// the nearest gallery digit, or "unknown" when that distance exceeds <see cref="Threshold"/>. <see cref="Accuracy"/>
/// counts right answers among all probes, <see cref="AnsweredAccuracy"/> among those not answered "unknown".
/// </summary>
public sealed record IdentificationFigures(int GalleryPerDigit, int Probes, double Threshold, double Accuracy,
    double UnknownRate, double AnsweredAccuracy);

/// <summary>The recognition protocols' figures; each is null when it was not run.</summary>
public sealed record RecognitionFigures(OneShotFigures? OneShot, IdentificationFigures? Identification)
{
    public static readonly RecognitionFigures None = new(null, null);
}

/// <summary>What <see cref="IModelJobs.Train"/> returns: the accelerator actually used, per-epoch history and the test evaluation.</summary>
public sealed record TrainingOutcome(string Accelerator, IReadOnlyList<EpochRecord> History, PairScores Test,
    TestMetrics Metrics, RocCurve Roc, StageTimings Timings, RecognitionFigures? Recognition = null);

/// <summary>What <see cref="IModelJobs.Evaluate"/> returns; <see cref="Recognition"/> only when the test split was scored (no --pairs).</summary>
public sealed record EvaluationOutcome(string Accelerator, PairScores Scores, TestMetrics Metrics, RocCurve Roc,
    RecognitionFigures? Recognition = null);

/// <summary>
/// The distance of two image files under a model, its threshold, the 14x14 inputs the network saw, and warnings about
/// borderline images (each naming its file).
/// </summary>
public sealed record ComparisonOutcome(double Distance, double Threshold, float[] InputA, float[] InputB,
    IReadOnlyList<string>? Warnings = null);

/// <summary>
/// Row-major embeddings, <see cref="Rows"/> x <see cref="Width"/>; <see cref="Labels"/> for a split,
/// <see cref="Sources"/> (file names) for image files, with <see cref="Warnings"/> about borderline images.
/// </summary>
public sealed record EmbeddingOutcome(float[] Values, int Rows, int Width, int[]? Labels, string[]? Sources,
    IReadOnlyList<string>? Warnings = null);

/// <summary>One device a person could pass to --accelerator: its kind (cpu, cuda, opencl, simd), name and details.</summary>
public sealed record DeviceDescription(string Accelerator, string Name, string Details);
