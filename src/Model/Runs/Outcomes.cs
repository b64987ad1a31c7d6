namespace GpuSiamese.Model.Runs;

/// <summary>
/// What a training run (<see cref="TrainingRun"/>) gives: the accelerator actually used, the per-epoch history, the scored
/// test set with its figures and ROC, the stage timings and the recognition figures. metrics.json serialises these
/// records as they are.
/// </summary>
public sealed record TrainingOutcome(string Accelerator, IReadOnlyList<EpochReport> History, PairScores Test,
    TestMetrics Metrics, IReadOnlyList<RocPoint> Roc, StageTimings Timings, RecognitionFigures? Recognition = null,
    ClassFigures? Classes = null);

/// <summary>What scoring a saved model gives; <see cref="Recognition"/> only when the test split was scored (no pair file).</summary>
public sealed record EvaluationOutcome(string Accelerator, PairScores Scores, TestMetrics Metrics, IReadOnlyList<RocPoint> Roc,
    RecognitionFigures? Recognition = null, ClassFigures? Classes = null);

/// <summary>
/// The distance of two image files under a model, its threshold, the 14x14 inputs the network saw, and warnings about
/// borderline images (each naming its file).
/// </summary>
public sealed record ComparisonOutcome(double Distance, double Threshold, float[] InputA, float[] InputB,
    IReadOnlyList<string>? Warnings = null, string Noun = "digit", string ThresholdRule = "");

/// <summary>
/// Row-major embeddings, <see cref="Rows"/> x <see cref="Width"/>; <see cref="Labels"/> for a split,
/// <see cref="Sources"/> (file names) for image files, with <see cref="Warnings"/> about borderline images.
/// </summary>
public sealed record EmbeddingOutcome(float[] Values, int Rows, int Width, int[]? Labels, string[]? Sources,
    IReadOnlyList<string>? Warnings = null, IReadOnlyList<string>? ClassNames = null);
