namespace GpuSiamese.Model;

/// <summary>
/// A saved model: the network's configuration and parameters, the training configuration, the chosen
/// distance threshold, and (when saved during training) what a resume needs.
/// </summary>
public sealed record Checkpoint(
    NetworkConfig Network,
    TrainingConfig Training,
    float[] Parameters,
    double Threshold,
    TrainerState? Resume);
