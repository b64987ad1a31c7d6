namespace GpuSiamese.Model;

/// <summary>Where a run stands after a step (epochs and steps counted from 1), for a progress display.</summary>
public sealed record StepProgress(
    int Epoch,
    int Epochs,
    int StepInEpoch,
    int StepsPerEpoch,
    double MeanLossSoFar,
    double PairsPerSecond,
    TimeSpan Elapsed);
