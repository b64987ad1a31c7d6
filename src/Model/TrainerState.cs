namespace GpuSiamese.Model;

/// <summary>
/// Everything beyond the parameters that a run needs to continue exactly where it stopped: optimizer tensors
/// (in <see cref="Optimizer.StateNamesOf"/> order) and update count, completed steps, the loss summed so far
/// in the current epoch, the pair or triplet sampler's position (serialised JSON) and the trainer's own generator; and, so
/// that a resumed run reports and stops early as the whole run would, the epochs so far and the best
/// epoch's parameters (and its non-trained state: batch norm's running statistics).
/// </summary>
public sealed record TrainerState(
    float[][] OptimizerState,
    long OptimizerSteps,
    long Step,
    double EpochLossSum,
    byte[] SamplerState,
    ulong[] RngState,
    IReadOnlyList<EpochReport> History,
    float[]? BestParameters,
    float[]? BestState = null);
