namespace GpuSiamese.Host.Progress;

/// <summary>
/// A progress report from the trainer: during an epoch <see cref="Step"/> of <see cref="Steps"/> with the mean loss so far;
/// at the epoch's end (<see cref="EpochDone"/>) the train and validation pair accuracies too.
/// </summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double MeanLoss, double PairsPerSecond,
    TimeSpan Elapsed, double? TrainAccuracy = null, double? ValidationAccuracy = null)
{
    public bool EpochDone => TrainAccuracy.HasValue;

    /// <summary>Remaining time of this epoch at the current speed; null before the first step.</summary>
    public TimeSpan? EpochRemaining => Step > 0 && Step < Steps
        ? TimeSpan.FromTicks(Elapsed.Ticks / Step * (Steps - Step))
        : null;
}
