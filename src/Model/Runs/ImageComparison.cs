using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Runs;

/// <summary>The pipeline of <c>compare</c>: two image files preprocessed as the model's training images were (<see cref="ModelInput"/>), and their distance under it.</summary>
public static class ImageComparison
{
    /// <summary>Reads the model and both images, then opens the device (<paramref name="openBackend"/>, disposed here).</summary>
    public static ComparisonOutcome Execute(string modelPath, string imageA, string imageB, InvertMode invert, Func<IBackend> openBackend)
    {
        ArgumentNullException.ThrowIfNull(openBackend);
        var checkpoint = CheckpointFile.LoadForInference(modelPath, null);
        var warnings = new List<string>();
        var a = ModelInput.Load(checkpoint.Preprocessing, imageA, invert, warnings);
        var b = ModelInput.Load(checkpoint.Preprocessing, imageB, invert, warnings);
        using var backend = openBackend();
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters, checkpoint.State);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] distance = evaluator.PairDistances([.. a, .. b], 1);
        return new ComparisonOutcome(distance[0], checkpoint.Threshold, a, b, warnings, checkpoint.ClassNoun, checkpoint.Training.ThresholdRule);
    }
}
