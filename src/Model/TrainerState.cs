namespace GpuSiamese.Model;

/// <summary>
/// Everything beyond the parameters that a run needs to continue exactly where it stopped: optimizer tensors
/// (in <see cref="Optimizer.StateNamesOf"/> order) and update count, completed steps, the loss summed so far
/// in the current epoch, the pair sampler's position (serialised) and the trainer's own generator.
/// </summary>
public sealed record TrainerState(
    float[][] OptimizerState,
    long OptimizerSteps,
    long Step,
    double EpochLossSum,
    byte[] SamplerState,
    ulong[] RngState);
