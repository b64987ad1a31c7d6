using GpuSiamese.Data;

namespace GpuSiamese.Host.Options;

/// <summary><c>compare</c>: the distance between two image files under a saved model.</summary>
public sealed record CompareOptions(
    string ModelPath,
    string ImageA,
    string ImageB,
    InvertMode Invert,
    string? SavePreprocessedDir,
    AcceleratorChoice Accelerator);
