using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// Which recognition protocols run after training or in eval: <see cref="OneShotTrials"/> one-shot
/// <see cref="OneShotWays"/>-way trials on the test split (0 = none) and identification of every test image against a
/// gallery of <see cref="GalleryPerDigit"/> training images per digit (0 = none).
/// </summary>
public sealed record RecognitionSettings(int OneShotWays, int OneShotTrials, int GalleryPerDigit)
{
    public static readonly RecognitionSettings None = new(10, 0, 0);
}

/// <summary>The recognition protocols' figures, as printed and as metrics.json records them; each is null when it was not run.</summary>
public sealed record RecognitionFigures(OneShotResult? OneShot, IdentificationResult? Identification)
{
    public static readonly RecognitionFigures None = new(null, null);

    /// <summary>
    /// One-shot trials over the test split and identification of every test image against a gallery drawn from the
    /// training images; both seeded by <paramref name="seed"/> alone (<see cref="RunRandomness.Recognition"/>), so
    /// train and eval with one seed agree. <paramref name="threshold"/> NaN (no threshold chosen yet) answers every probe.
    /// </summary>
    public static RecognitionFigures Measure(Evaluator evaluator, ImageSet train, ImageSet test, RecognitionSettings settings,
        double threshold, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(settings);
        var random = RunRandomness.Recognition(seed);
        OneShotResult? oneShot = null;
        IdentificationResult? identification = null;
        var byClass = test.IndicesByClass();
        int eligible = byClass.Count(c => c.Length >= 2);
        if (settings.OneShotTrials > 0 && eligible >= 2)
        {
            // Over the classes with two test images (all ten digits for MNIST: the same draws as the digit protocol);
            // N is lowered to the classes there are.
            var embeddings = evaluator.Embed(test);
            oneShot = Model.OneShot.Evaluate(embeddings, evaluator.Network.Config.OutputWidth, byClass,
                Math.Min(settings.OneShotWays, eligible), settings.OneShotTrials, random.OneShot, evaluator.DistanceEpsilon);
        }
        if (settings.GalleryPerDigit > 0)
        {
            double t = double.IsNaN(threshold) ? double.PositiveInfinity : threshold;
            identification = Model.Identification.Evaluate(evaluator, train, test, settings.GalleryPerDigit, t, random.Gallery);
        }
        return new RecognitionFigures(oneShot, identification);
    }
}
