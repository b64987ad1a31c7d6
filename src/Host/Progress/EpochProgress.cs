namespace GpuSiamese.Host.Progress;

/// <summary>
/// What the progress display shows of the current epoch (made from the Model's <see cref="Model.StepProgress"/> and
/// <see cref="Model.EpochReport"/> by <see cref="EpochProgressSource"/>): during an epoch <see cref="Step"/> of <see cref="Steps"/> with the mean loss so far;
/// at the epoch's end (<see cref="EpochDone"/>) the train and validation pair accuracies too. <see cref="Elapsed"/> is the
/// time spent on this epoch's steps in this process; <see cref="StepsTimed"/> how many steps that covers (fewer than
/// <see cref="Step"/> when a resumed run started mid-epoch; null = all of them).
/// </summary>
public sealed record EpochProgress(int Epoch, int Epochs, int Step, int Steps, double MeanLoss, double PairsPerSecond,
    TimeSpan Elapsed, double? TrainAccuracy = null, double? ValidationAccuracy = null, int? StepsTimed = null)
{
    public bool EpochDone => TrainAccuracy.HasValue;

    /// <summary>Remaining time of this epoch at the current speed; null before the first step.</summary>
    public TimeSpan? EpochRemaining => (StepsTimed ?? Step) is int timed && timed > 0 && Step < Steps
        ? TimeSpan.FromTicks(Elapsed.Ticks / timed * (Steps - Step))
        : null;
}
