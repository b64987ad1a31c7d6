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
    public static RecognitionFigures Measure(Evaluator evaluator, MnistData data, RecognitionSettings settings,
        double threshold, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        var random = RunRandomness.Recognition(seed);
        OneShotResult? oneShot = null;
        IdentificationResult? identification = null;
        if (settings.OneShotTrials > 0)
            oneShot = Model.OneShot.Evaluate(evaluator, data.Test, settings.OneShotWays, settings.OneShotTrials, random.OneShot);
        if (settings.GalleryPerDigit > 0)
        {
            double t = double.IsNaN(threshold) ? double.PositiveInfinity : threshold;
            identification = Model.Identification.Evaluate(evaluator, data.Train, data.Test, settings.GalleryPerDigit, t, random.Gallery);
        }
        return new RecognitionFigures(oneShot, identification);
    }
}
