using GpuSiamese.Data;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Host.Options;

/// <summary>
/// <c>embed</c>: embeddings of one MNIST split (<see cref="Split"/>) or of image files (<see cref="Images"/>; exactly one
/// of the two), written to <see cref="OutPath"/> (.npy or .csv).
/// </summary>
public sealed record EmbedOptions(
    string ModelPath,
    DataSplit? Split,
    string[] Images,
    string OutPath,
    string? DataDir,
    ulong Seed,
    double Validation,
    InvertMode Invert,
    AcceleratorChoice Accelerator);
