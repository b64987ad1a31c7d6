using GpuSiamese.Model;

namespace GpuSiamese.Host.Progress;

/// <summary>
/// Turns the Model's step and epoch reports into the display's <see cref="EpochProgress"/>: elapsed time counted from
/// the epoch's start, the steps timed in this process (a resumed run starts mid-epoch), the accuracies at the epoch's end.
/// </summary>
public sealed class EpochProgressSource(IProgress<EpochProgress> target, int epochs, int stepsPerEpoch) : IProgress<StepProgress>
{
    TimeSpan _epochStart = TimeSpan.Zero;
    int _epoch;
    int _firstStep;

    public void Report(StepProgress p)
    {
        // A resumed run starts mid-epoch: only the steps run here were timed.
        if (p.Epoch != _epoch) { _epoch = p.Epoch; _firstStep = p.StepInEpoch; }
        // The epoch's last step is followed by the epoch report, which carries the accuracies.
        if (p.StepInEpoch == p.StepsPerEpoch) return;
        target.Report(new EpochProgress(p.Epoch, p.Epochs, p.StepInEpoch, p.StepsPerEpoch, p.MeanLossSoFar,
            p.PairsPerSecond, p.Elapsed - _epochStart, StepsTimed: p.StepInEpoch - _firstStep + 1));
    }

    /// <summary>The epoch's end: its accuracies, and the start of the next epoch's clock.</summary>
    public void EpochCompleted(EpochReport report)
    {
        target.Report(new EpochProgress(report.Epoch, epochs, stepsPerEpoch, stepsPerEpoch,
            report.MeanLoss, report.PairsPerSecond, report.EpochTime, report.TrainAccuracy, report.ValidationAccuracy));
        _epochStart = report.Elapsed;
    }
}
