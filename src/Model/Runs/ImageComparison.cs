using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Runs;

/// <summary>The pipeline of <c>compare</c>: two image files preprocessed as MNIST was built, and their distance under a saved model.</summary>
public static class ImageComparison
{
    /// <summary>Reads the model and both images, then opens the device (<paramref name="openBackend"/>, disposed here).</summary>
    public static ComparisonOutcome Execute(string modelPath, string imageA, string imageB, InvertMode invert, Func<IBackend> openBackend)
    {
        ArgumentNullException.ThrowIfNull(openBackend);
        var checkpoint = CheckpointFile.LoadForInference(modelPath, null);
        var a = DigitImage.Read(imageA, invert);
        var b = DigitImage.Read(imageB, invert);
        using var backend = openBackend();
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] distance = evaluator.Distances(new PairArrays([.. a.Image14, .. b.Image14], [0]));
        return new ComparisonOutcome(distance[0], checkpoint.Threshold, a.Image14, b.Image14, [.. a.Warnings, .. b.Warnings]);
    }
}
