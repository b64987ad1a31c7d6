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
    public int PositivesPerDigit { get; init; } = 800;
    public int NegativesPerPair { get; init; } = 200;
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
        float[] pixels;
        int[] labels;
        MnistData? data = null;
        if (request.PairsPath is not null && request.LabelsPath is not null)
        {
            var pairs = Npy.ReadPairs(request.PairsPath, request.LabelsPath);
            (pixels, labels) = (pairs.Pixels, pairs.Labels);
        }
        else
        {
            data = Mnist.Load(request.DataDir, log);
            var set = BalancedPairSet.Create(data.Test, RunRandomness.From(request.Seed).TestPairs,
                request.PositivesPerDigit, request.NegativesPerPair);
            pixels = new float[set.Count * PairArrays.PairSize];
            for (int p = 0; p < set.Count; p++)
            {
                data.Test.Pixels.AsSpan(set.Left[p] * ImageSet.Size, ImageSet.Size).CopyTo(pixels.AsSpan(p * PairArrays.PairSize));
                data.Test.Pixels.AsSpan(set.Right[p] * ImageSet.Size, ImageSet.Size).CopyTo(pixels.AsSpan(p * PairArrays.PairSize + ImageSet.Size));
            }
            labels = set.Labels;
        }
        cancel.ThrowIfCancellationRequested();
        using var backend = openBackend();
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] distances = evaluator.Distances(new PairArrays(pixels, labels));
        var (metrics, roc) = TestMetrics.Of(distances, labels, checkpoint.Threshold);
        var scores = new PairScores(distances, labels, i => new PairImages(
            pixels.AsSpan(i * PairArrays.PairSize, ImageSet.Size).ToArray(),
            pixels.AsSpan(i * PairArrays.PairSize + ImageSet.Size, ImageSet.Size).ToArray()));
        // The protocols need labelled images: the test split, which a pair file does not carry.
        var recognition = data is null ? RecognitionFigures.None : RecognitionFigures.Measure(evaluator, data,
            request.Recognition, request.UnknownThreshold ?? checkpoint.Threshold, request.Seed);
        return new EvaluationOutcome(backend.Name, scores, metrics, roc, recognition);
    }
}
