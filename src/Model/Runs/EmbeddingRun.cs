using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Runs;

/// <summary>A part of a dataset as a run sees it: the training images less the validation hold-out, the seed's validation hold-out, or the test split (seen classes).</summary>
public enum DataSplit { Train, Validation, Test }

/// <summary>
/// What <c>embed</c> is asked for: the saved model and either an MNIST split (<see cref="Split"/>; the hold-out of
/// <see cref="ValidationFraction"/> and <see cref="Seed"/>, as train made it) or image files (<see cref="Images"/>,
/// preprocessed with <see cref="Invert"/>).
/// </summary>
public sealed record EmbeddingRequest(string ModelPath)
{
    public DataSplit? Split { get; init; }
    public string[] Images { get; init; } = [];
    public string? DataDir { get; init; }
    public ulong Seed { get; init; } = 1;
    public double ValidationFraction { get; init; } = 0.1;
    public InvertMode Invert { get; init; } = InvertMode.Auto;
}

/// <summary>The pipeline of <c>embed</c>: the embedding G(x) of every image of a split or of every image file given.</summary>
public static class EmbeddingRun
{
    /// <summary>Reads the model and the images, then opens the device (<paramref name="openBackend"/>, disposed here).</summary>
    public static EmbeddingOutcome Execute(EmbeddingRequest request, Func<IBackend> openBackend, Action<string> log,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(openBackend);
        var checkpoint = CheckpointFile.LoadForInference(request.ModelPath, null);
        float[] pixels;
        int count;
        int[]? labels = null;
        string[]? sources = null;
        var warnings = new List<string>();
        ImageSet? set = null;
        if (request.Split is { } split)
        {
            // The dataset, shape and held-out classes the model was trained on, split with this seed as train split it.
            var config = checkpoint.Training.WithoutAugmentation() with { Seed = request.Seed, ValidationFraction = request.ValidationFraction };
            var data = RunData.Load(request.DataDir, config, log);
            set = split switch { DataSplit.Test => data.Test, DataSplit.Validation => data.Validation, _ => data.Train };
            (pixels, count, labels) = ([], set.Count, set.Labels);
        }
        else
        {
            count = request.Images.Length;
            int width = checkpoint.Preprocessing.Input.Size;
            pixels = new float[count * width];
            for (int i = 0; i < count; i++)
                ModelInput.Load(checkpoint.Preprocessing, request.Images[i], request.Invert, warnings).CopyTo(pixels.AsSpan(i * width));
            sources = request.Images.Select(Path.GetFileName).ToArray()!;
        }
        cancel.ThrowIfCancellationRequested();
        using var backend = openBackend();
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters, checkpoint.State);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] values = set is not null ? evaluator.Embed(set) : evaluator.Embed(pixels, count);
        return new EmbeddingOutcome(values, count, checkpoint.Network.OutputWidth, labels, sources, warnings, labels is null ? null : checkpoint.ClassNames);
    }
}
