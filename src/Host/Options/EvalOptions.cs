namespace GpuSiamese.Host.Options;

/// <summary>
/// <c>eval</c>: score a saved model on a given .npy pair set (<see cref="PairsPath"/> and <see cref="LabelsPath"/>),
/// or, when none is given, on a fresh balanced set drawn from the test split with <see cref="Seed"/>; then (without a
/// pair file) the recognition protocols on the test split: <see cref="OneShotTrials"/> one-shot trials (0 = none) and
/// identification against <see cref="GalleryPerDigit"/> images per digit (0 = none) with "unknown" above
/// <see cref="UnknownThreshold"/> (null = the model's threshold).
/// </summary>
public sealed record EvalOptions(
    string ModelPath,
    string? PairsPath,
    string? LabelsPath,
    string? DistancesCsv,
    string? DataDir,
    ulong Seed,
    int? PositivesPerDigit,
    int? NegativesPerPair,
    AcceleratorChoice Accelerator,
    int OneShotWays = 10,
    int OneShotTrials = 2_000,
    int GalleryPerDigit = 5,
    double? UnknownThreshold = null);
