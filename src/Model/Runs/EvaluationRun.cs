using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// What <c>eval</c> is asked for: the saved model, and either a .npy pair set (<see cref="PairsPath"/> with
/// <see cref="LabelsPath"/>) or, when none is given, a fresh balanced set drawn from the test split with <see cref="Seed"/>
/// (the same pairs train scored with that seed); then, without a pair file, the recognition protocols with "unknown"
/// above <see cref="UnknownThreshold"/> (null = the model's threshold).
/// </summary>
public sealed record EvaluationRequest(string ModelPath)
{
    public string? PairsPath { get; init; }
    public string? LabelsPath { get; init; }
    public string? DataDir { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>Test pairs per class and per class pair; null: sizes scaled to the data, as train drew them (MNIST: 800 and 200).</summary>
    public int? PositivesPerDigit { get; init; }
    public int? NegativesPerPair { get; init; }
    public RecognitionSettings Recognition { get; init; } = RecognitionSettings.None;
    public double? UnknownThreshold { get; init; }
}

/// <summary>The pipeline of <c>eval</c>: checkpoint, pairs, scores, figures and recognition, as one <see cref="EvaluationOutcome"/>.</summary>
public static class EvaluationRun
{
    /// <summary>
    /// Reads the model and the pairs, then opens the device (<paramref name="openBackend"/>, disposed here): a wrong file
    /// is refused before a device is opened.
    /// </summary>
    public static EvaluationOutcome Execute(EvaluationRequest request, Func<IBackend> openBackend, Action<string> log,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(openBackend);
        var checkpoint = CheckpointFile.LoadForInference(request.ModelPath, null);
        PairArrays? file = null;
        RunData? data = null;
        if (request.PairsPath is not null && request.LabelsPath is not null)
            file = Npy.ReadPairs(request.PairsPath, request.LabelsPath);
        else
        {
            // The dataset, shape and held-out classes the model was trained on; the seed's test pairs, as train drew them.
            var config = checkpoint.Training.WithoutAugmentation() with { Seed = request.Seed };
            data = RunData.Load(request.DataDir, config, log, request.PositivesPerDigit, request.NegativesPerPair);
        }
        cancel.ThrowIfCancellationRequested();
        using var backend = openBackend();
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters, checkpoint.State);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        if (file is not null)
        {
            float[] fileDistances = evaluator.Distances(file);
            var (fileMetrics, fileRoc) = TestMetrics.Of(fileDistances, file.Labels, checkpoint.Threshold);
            var fileScores = new PairScores(fileDistances, file.Labels, i => new PairImages(
                file.Pixels.AsSpan(i * PairArrays.PairSize, ImageSet.Size).ToArray(),
                file.Pixels.AsSpan(i * PairArrays.PairSize + ImageSet.Size, ImageSet.Size).ToArray()));
            // The protocols need labelled images: the test split, which a pair file does not carry.
            return new EvaluationOutcome(backend.Name, fileScores, fileMetrics, fileRoc, RecognitionFigures.None);
        }
        var test = data!.Test;
        var pairs = data.TestPairs;
        float[] distances = evaluator.Distances(test, pairs);
        var (metrics, roc) = TestMetrics.Of(distances, pairs.Labels, checkpoint.Threshold);
        var scores = new PairScores(distances, pairs.Labels, i => new PairImages(test.ImageAt(pairs.Left[i]), test.ImageAt(pairs.Right[i])));
        double threshold = request.UnknownThreshold ?? checkpoint.Threshold;
        var recognition = RecognitionFigures.Measure(evaluator, data.TrainAll, test, request.Recognition, threshold, request.Seed);
        var r = request.Recognition;
        var classes = ClassFigures.Measure(evaluator, data.DatasetName, data.ClassNames, data.Notes, data.TestProtocol, test,
            data.HeldOut, data.Unseen, r.OneShotWays, r.OneShotTrials, r.GalleryPerDigit, threshold, request.Seed);
        return new EvaluationOutcome(backend.Name, scores, metrics, roc, recognition, classes);
    }
}
