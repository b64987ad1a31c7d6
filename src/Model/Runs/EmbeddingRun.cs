using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Runs;

/// <summary>A part of MNIST as a run sees it: the training images less the hold-out, the seed's validation hold-out, or the test split.</summary>
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
        if (request.Split is { } split)
        {
            var data = Mnist.Load(request.DataDir, log);
            var set = split == DataSplit.Test ? data.Test : TrainingPart(data, split, request);
            (pixels, count, labels) = (set.Pixels, set.Count, set.Labels.Select(l => (int)l).ToArray());
        }
        else
        {
            count = request.Images.Length;
            pixels = new float[count * ImageSet.Size];
            for (int i = 0; i < count; i++)
            {
                var image = DigitImage.Read(request.Images[i], request.Invert);
                image.Image14.CopyTo(pixels.AsSpan(i * ImageSet.Size));
                warnings.AddRange(image.Warnings);
            }
            sources = request.Images.Select(Path.GetFileName).ToArray()!;
        }
        cancel.ThrowIfCancellationRequested();
        using var backend = openBackend();
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] values = evaluator.Embed(pixels, count);
        return new EmbeddingOutcome(values, count, checkpoint.Network.OutputWidth, labels, sources, warnings);
    }

    static ImageSet TrainingPart(MnistData data, DataSplit split, EmbeddingRequest request)
    {
        var (train, validation) = TrainValidationSplit.Create(data.Train, request.ValidationFraction, RunRandomness.From(request.Seed).Split);
        return split == DataSplit.Validation ? validation : train;
    }
}
