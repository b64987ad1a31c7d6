using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// The data of a training run, the same for the host, the profiler and the tests: MNIST (its 28x28 originals dropped
/// unless the run augments), the seed's validation hold-out, the seed's balanced test pairs, and the trainer's
/// generator — forked from the seed in <see cref="RunRandomness"/>'s fixed order.
/// </summary>
public sealed record RunData(MnistData Mnist, ImageSet Train, ImageSet Validation, PairSet TestPairs, Rng TrainerRng)
{
    /// <summary>Loads MNIST (<see cref="Data.Mnist.Load"/>: <paramref name="dataDir"/>, the environment, the cache or a fetch) and splits it for <paramref name="config"/>.</summary>
    public static RunData Load(string? dataDir, TrainingConfig config, Action<string> log,
        int positivesPerDigit = 800, int negativesPerPair = 200)
    {
        ArgumentNullException.ThrowIfNull(config);
        var data = Data.Mnist.Load(dataDir, log);
        if (!config.Augment)
            data = new MnistData(data.Train.WithoutRaw28(), data.Test.WithoutRaw28());
        var random = RunRandomness.From(config.Seed);
        var (train, validation) = TrainValidationSplit.Create(data.Train, config.ValidationFraction, random.Split);
        var testPairs = BalancedPairSet.Create(data.Test, random.TestPairs, positivesPerDigit, negativesPerPair);
        return new RunData(data, train, validation, testPairs, random.Trainer);
    }

    public ImageSet Test => Mnist.Test;
}
