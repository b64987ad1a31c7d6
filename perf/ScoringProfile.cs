using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// Scoring the balanced 17,000-pair test set, forward only, two ways: every pair's two images through the
/// network (34,000 rows, in chunks of 2,048); or each of the 10,000 test images once, then the pairs'
/// embeddings gathered by index (the same distances for a third of the arithmetic).
/// </summary>
public sealed class ScoringProfile : IProfileSection
{
    public const double TargetMs = 10;
    const int ChunkRows = 2048;

    public void Run(IBackend b, ProfilerOptions options, Report report)
    {
        report.Heading($"Scoring {ScoringPairs:N0} pairs (forward only)");
        var rng = new Random(4);
        using var images = Upload(b, Uniform(rng, TestImages * Input, 0, 1));
        using var w1 = Upload(b, Weights(rng, Input, Hidden)); using var b1 = Upload(b, Uniform(rng, Hidden, -0.1f, 0.1f));
        using var w2 = Upload(b, Weights(rng, Hidden, Embedding)); using var b2 = Upload(b, Uniform(rng, Embedding, -0.1f, 0.1f));
        var left = Indices(rng, ScoringPairs, TestImages); var right = Indices(rng, ScoringPairs, TestImages);
        using var x = b.Allocate<float>(ChunkRows * Input); using var h = b.Allocate<float>(ChunkRows * Hidden);
        using var e = b.Allocate<float>(ChunkRows * Embedding);
        using var dist = b.Allocate<float>(ScoringPairs);
        var distances = new float[ScoringPairs];

        // Per pair: each chunk holds cp left rows then cp right rows, as a training batch does.
        int chunkPairs = ChunkRows / 2, chunks = (ScoringPairs + chunkPairs - 1) / chunkPairs;
        var chunkIdx = new DeviceBuffer<int>[chunks];
        for (int c = 0; c < chunks; c++)
        {
            int p0 = c * chunkPairs, cp = Math.Min(chunkPairs, ScoringPairs - p0);
            chunkIdx[c] = Upload(b, left[p0..(p0 + cp)].Concat(right[p0..(p0 + cp)]).ToArray());
        }
        void PerPair()
        {
            for (int c = 0; c < chunks; c++)
            {
                int p0 = c * chunkPairs, cp = Math.Min(chunkPairs, ScoringPairs - p0);
                b.GatherRows(images, chunkIdx[c], x, 2 * cp, Input);
                b.DenseForward(x, w1, b1, h, 2 * cp, Input, Hidden, Activation.Relu);
                b.DenseForward(h, w2, b2, e, 2 * cp, Hidden, Embedding, Activation.Relu);
                b.PairDistanceForward(e, dist.Slice(p0, cp), cp, Embedding, 1e-7f);
            }
            b.Download<float>(dist, distances);
        }

        // Unique images: embed the table in chunks, then gather left rows then right rows of the embeddings.
        using var table = b.Allocate<float>(TestImages * Embedding);
        using var pairIdx = Upload(b, left.Concat(right).ToArray());
        using var pairEmb = b.Allocate<float>(2 * ScoringPairs * Embedding);
        void UniqueImages()
        {
            for (int r0 = 0; r0 < TestImages; r0 += ChunkRows)
            {
                int n = Math.Min(ChunkRows, TestImages - r0);
                b.DenseForward(images.Slice(r0 * Input, n * Input), w1, b1, h, n, Input, Hidden, Activation.Relu);
                b.DenseForward(h, w2, b2, table.Slice(r0 * Embedding, n * Embedding), n, Hidden, Embedding, Activation.Relu);
            }
            b.GatherRows(table, pairIdx, pairEmb, 2 * ScoringPairs, Embedding);
            b.PairDistanceForward(pairEmb, dist, ScoringPairs, Embedding, 1e-7f);
            b.Download<float>(dist, distances);
        }

        PerPair();
        var perPair = distances.ToArray();
        UniqueImages();
        float worst = 0;
        for (int p = 0; p < ScoringPairs; p++) worst = MathF.Max(worst, MathF.Abs(perPair[p] - distances[p]) / MathF.Max(1, perPair[p]));
        var rowsOut = new List<string[]>();
        foreach (var (name, run, flops) in new (string, Action, double)[]
        {
            ("every pair through the network (34,000 rows)", PerPair, 2.0 * 2 * ScoringPairs * (Input * Hidden + Hidden * Embedding)),
            ("each test image once (10,000 rows) + gather", UniqueImages, 2.0 * TestImages * (Input * Hidden + Hidden * Embedding)),
        })
        {
            var t = Timing.Measure(run, options.Quick, b.Synchronize);
            double ms = t.MedianUs / 1e3;
            rowsOut.Add([name, $"{ms:F2}", $"{ScoringPairs / ms * 1e3:N0}", Report.Rate(flops / t.MedianUs / 1e3), $"{TargetMs / ms:F2}x"]);
        }
        foreach (var c in chunkIdx) c.Dispose();
        report.Table(["method", "ms", "pairs/s", "GFLOP/s", "vs target 10 ms"], rowsOut);
        report.Line($"Both methods give the same distances (largest relative difference {worst:E1}); the evaluator should embed each image once.");
    }
}
