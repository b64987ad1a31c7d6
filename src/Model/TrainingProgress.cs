namespace GpuSiamese.Model;

/// <summary>Where a run stands after a step (epochs and steps counted from 1), for a progress display.</summary>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    int StepInEpoch,
    int StepsPerEpoch,
    double MeanLossSoFar,
    double PairsPerSecond,
    TimeSpan Elapsed);

/// <summary>
/// The figures of one finished epoch. Accuracies are pair accuracies at <see cref="Threshold"/>, the Youden
/// point of the validation ROC, on the trainer's fixed balanced monitor sets.
/// </summary>
public sealed record EpochReport(
    int Epoch,
    double MeanLoss,
    double TrainAccuracy,
    double ValidationAccuracy,
    double ValidationAuc,
    double Threshold,
    double LearningRate,
    double PairsPerSecond,
    TimeSpan EpochTime,
    TimeSpan Elapsed);
