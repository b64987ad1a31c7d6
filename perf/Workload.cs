using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>The exercise's shapes and seeded random contents for the buffers a profile uploads.</summary>
public static class Workload
{
    public const int Input = 196, Hidden = 200, Embedding = 10, BatchPairs = 64;
    public const int TrainTableRows = 54_000, ScoringPairs = 17_000, TestImages = 10_000, JobSteps = 4_690;

    /// <summary>Parameters of 196-200-10: W1, b1, W2, b2 in one flat vector.</summary>
    public const int Parameters = Input * Hidden + Hidden + Hidden * Embedding + Embedding; // 41,410

    /// <summary>Flops of one training step at B pairs: both forward products, both dW, layer 2's dX.</summary>
    public static double StepFlops(int rows) =>
        2.0 * rows * (Input * Hidden + Hidden * Embedding) * 2 + 2.0 * rows * Hidden * Embedding;

    public static float[] Uniform(Random rng, int n, float low, float high)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = low + (float)rng.NextDouble() * (high - low);
        return a;
    }

    public static DeviceBuffer<T> Upload<T>(IBackend b, T[] data) where T : unmanaged
    {
        var buf = b.Allocate<T>(data.Length);
        b.Upload<T>(buf, data);
        return buf;
    }

    /// <summary>Weights scaled as He initialisation would (±sqrt(6/fan-in)), so ReLUs stay alive.</summary>
    public static float[] Weights(Random rng, int inW, int outW) =>
        Uniform(rng, inW * outW, -MathF.Sqrt(6f / inW), MathF.Sqrt(6f / inW));

    public static int[] Indices(Random rng, int n, int below) => Enumerable.Range(0, n).Select(_ => rng.Next(below)).ToArray();
}
