using System.Text.Json.Serialization;
using GpuSiamese.Model;

namespace GpuSiamese.Host.Options;

// metrics.json writes this choice as the command line spells it (JsonStringEnumMemberName).

/// <summary>Which compute device trains and scores: ILGPU's CPU accelerator, CUDA, OpenCL, the SIMD host backend, or the fastest present.</summary>
public enum AcceleratorChoice { Cpu, Cuda, [JsonStringEnumMemberName("opencl")] OpenCl, Simd, Auto }

/// <summary>
/// Everything <c>train</c> was asked to do, already checked for range: the Model's training configuration and the
/// run's own settings (seed, device, folders, output, test set, recognition). Defaults are the exercise's.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>
    /// The network and every training option (<see cref="TrainingConfig.Settings"/>), as given, over the preset's or the
    /// exercise's values, and the seed.
    /// </summary>
    public TrainingConfig Training { get; init; } = new();
    /// <summary>The run's seed (<c>--seed</c>), kept in <see cref="Training"/>.</summary>
    public ulong Seed => Training.Seed;
    public AcceleratorChoice Accelerator { get; init; } = AcceleratorChoice.Auto;
    public string? DataDir { get; init; }
    public string RunsDir { get; init; } = "runs";
    public bool Quiet { get; init; }
    /// <summary>Test pairs per class and per class pair; null unless both are given: sizes scaled to the data (MNIST: 800 and 200).</summary>
    public int? PositivesPerDigit { get; init; }
    public int? NegativesPerPair { get; init; }
    /// <summary>A checkpoint to continue from (optimizer state and sampler position included).</summary>
    public string? Resume { get; init; }
    /// <summary>The preset the values were taken from (options given explicitly override it); null = the exercise's defaults.</summary>
    public string? Preset { get; init; }
    /// <summary>One-shot trials after training: candidates per trial (N of N-way).</summary>
    public int OneShotWays { get; init; } = 10;
    /// <summary>One-shot trials after training; 0 = none.</summary>
    public int OneShotTrials { get; init; } = 2_000;
    /// <summary>Identification after training: gallery images per digit; 0 = none.</summary>
    public int GalleryPerDigit { get; init; } = 5;
}
