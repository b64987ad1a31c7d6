using GpuSiamese.Data;

namespace GpuSiamese.Model;

/// <summary>
/// A saved model: the network's configuration and parameters, the training configuration, the chosen
/// distance threshold, and (when saved during training) what a resume needs; and how an image becomes the network's
/// input (<see cref="Preprocessing"/>, applied alike by every command that reads an image) and the names of the classes
/// it was trained on (MNIST's digits for checkpoints older than format 4).
/// </summary>
public sealed record Checkpoint(
    NetworkConfig Network,
    TrainingConfig Training,
    float[] Parameters,
    double Threshold,
    TrainerState? Resume)
{
    public Preprocessing Preprocessing { get; init; } = Preprocessing.MnistDefault;

    /// <summary>
    /// The network's non-trained state (<see cref="NetworkConfig.StateCount"/> values: batch norm's running statistics);
    /// empty for a network without any, or to start from each layer's initial state.
    /// </summary>
    public float[] State { get; init; } = [];

    public IReadOnlyList<string> ClassNames { get; init; } = MnistSource.ClassNames;

    /// <summary>What a class is called in verdicts: "digit" for a model of MNIST, "class" for any other.</summary>
    public string ClassNoun => Training.Dataset == MnistSource.SourceName ? "digit" : "class";
}
