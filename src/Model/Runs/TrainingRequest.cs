namespace GpuSiamese.Model.Runs;

/// <summary>
/// What a training run is asked for beyond the <see cref="TrainingConfig"/>: where MNIST is (<see cref="DataDir"/>;
/// null = the environment, the cache or a fetch), the checkpoint to continue from (<see cref="Resume"/>), the size of the
/// balanced test set and the recognition protocols run after training.
/// </summary>
public sealed record TrainingRequest(TrainingConfig Training)
{
    public string? DataDir { get; init; }

    /// <summary>A checkpoint holding resume state (optimizer, sampler position) of a run with the same settings.</summary>
    public string? Resume { get; init; }

    /// <summary>Same-digit test pairs per digit.</summary>
    public int PositivesPerDigit { get; init; } = 800;

    /// <summary>Different-digit test pairs per unordered digit pair.</summary>
    public int NegativesPerPair { get; init; } = 200;

    public RecognitionSettings Recognition { get; init; } = RecognitionSettings.None;
}
