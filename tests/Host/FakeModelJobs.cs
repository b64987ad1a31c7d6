using GpuSiamese.Model.Backends;
using GpuSiamese.Model;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Progress;

namespace GpuSiamese.Tests.Host;

/// <summary>
/// A stand-in for the training engine: records what the host asked for and answers with a small, fixed outcome
/// (a 6-pair test set with one false accept and one false reject at threshold 1.0), reporting progress like a trainer.
/// </summary>
public sealed class FakeModelJobs : IModelJobs
{
    public TrainOptions? TrainedWith { get; private set; }
    public EvalOptions? EvaluatedWith { get; private set; }
    public CompareOptions? ComparedWith { get; private set; }
    public EmbedOptions? EmbeddedWith { get; private set; }
    public Exception? Throw { get; init; }
    public int StepsPerEpoch { get; init; } = 8;
    public double CompareDistance { get; init; } = 0.4;

    public static readonly float[] Distances = [0.2f, 0.5f, 1.6f, 0.7f, 2.5f, 3.0f];
    public static readonly int[] Labels = [0, 0, 0, 1, 1, 1];
    public static readonly TestMetrics Metrics = new(Pairs: 6, SamePairs: 3, DifferentPairs: 3, Auc: 0.875, YoudenThreshold: 0.6, YoudenAccuracy: 5.0 / 6,
        Eer: 1.0 / 3, Threshold: 1.0, AccuracyAtThreshold: 4.0 / 6, TarAtFar: [new(0.01, 0.4, 0.7321)]);
    public static readonly IReadOnlyList<RocPoint> Roc = [new(double.NegativeInfinity, 0, 0), new(0.2, 0, 1.0 / 3),
        new(0.5, 0, 2.0 / 3), new(0.7, 1.0 / 3, 2.0 / 3), new(1.6, 1.0 / 3, 1), new(2.5, 2.0 / 3, 1), new(3.0, 1, 1)];

    /// <summary>What the fake reports for the recognition protocols, in train and in eval without --pairs.</summary>
    public static readonly RecognitionFigures Recognition = new(new OneShotResult(10, 2000, 0.9565, 0.9476, 0.9654),
        new IdentificationResult(5, 10_000, 1.0, 0.9681, 0.0012, 0.96926, 0.01, 0.0843));

    /// <summary>Pair i: a vertical bar at column i on the left, a horizontal bar at row i on the right.</summary>
    public static PairImages Images(int i)
    {
        var left = new float[196];
        var right = new float[196];
        for (int k = 0; k < 14; k++)
        {
            left[k * 14 + 3 + i] = 1f;
            right[(3 + i) * 14 + k] = 0.5f;
        }
        return new PairImages(left, right);
    }

    public TrainingOutcome Train(TrainOptions options, string checkpointPath, Action<string> log,
        IProgress<EpochProgress> progress, CancellationToken cancel)
    {
        TrainedWith = options;
        if (Throw is not null) throw Throw;
        log("loading MNIST (fake)");
        var history = new List<EpochReport>();
        for (int epoch = 1; epoch <= options.Training.Epochs; epoch++)
        {
            double loss = 1.0 / epoch;
            for (int step = 1; step <= StepsPerEpoch; step++)
            {
                cancel.ThrowIfCancellationRequested();
                progress.Report(new EpochProgress(epoch, options.Training.Epochs, step, StepsPerEpoch, loss, 50_000,
                    TimeSpan.FromSeconds(0.1 * step)));
            }
            double train = 0.8 + 0.03 * epoch, validation = 0.78 + 0.03 * epoch;
            progress.Report(new EpochProgress(epoch, options.Training.Epochs, StepsPerEpoch, StepsPerEpoch, loss, 50_000,
                TimeSpan.FromSeconds(0.8), train, validation));
            history.Add(new EpochReport(epoch, loss, train, validation, 0.9 + 0.01 * epoch, 1.0, 0.01, 50_000,
                TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(0.8 * epoch)));
        }
        File.WriteAllBytes(checkpointPath, [1, 2, 3]);
        return new TrainingOutcome("fake accelerator", history, new PairScores(Distances, Labels, Images), Metrics, Roc,
            new StageTimings(0.5, 0.8 * options.Training.Epochs, 0.1, 0.6 + 0.8 * options.Training.Epochs), Recognition);
    }

    public EvaluationOutcome Evaluate(EvalOptions options, Action<string> log, CancellationToken cancel)
    {
        EvaluatedWith = options;
        if (Throw is not null) throw Throw;
        return new EvaluationOutcome("fake accelerator", new PairScores(Distances, Labels, Images), Metrics, Roc,
            options.PairsPath is null ? Recognition : RecognitionFigures.None);
    }

    public ComparisonOutcome Compare(CompareOptions options)
    {
        ComparedWith = options;
        if (Throw is not null) throw Throw;
        return new ComparisonOutcome(CompareDistance, 1.0, Images(0).Left, Images(1).Right);
    }

    public EmbeddingOutcome Embed(EmbedOptions options, Action<string> log, CancellationToken cancel)
    {
        EmbeddedWith = options;
        if (Throw is not null) throw Throw;
        float[] values = [0.5f, -1.25f, 3f, 0.125f, 2f, -0.75f];
        return options.Split is not null
            ? new EmbeddingOutcome(values, 3, 2, [7, 2, 1], null)
            : new EmbeddingOutcome(values[..(2 * options.Images.Length)], options.Images.Length, 2, null,
                options.Images.Select(Path.GetFileName).ToArray()!);
    }

    public IReadOnlyList<DeviceDescription> ListDevices() =>
        [new DeviceDescription("simd", "fake SIMD backend", "2 threads"), new DeviceDescription("cpu", "fake ILGPU CPU", "")];
}
