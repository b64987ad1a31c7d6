using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// Every <see cref="IBackend"/> operation alone at the exercise's shapes (128 rows = 64 pairs) and at 1024
/// rows: median µs warm, GFLOP/s for arithmetic, GB/s (bytes read + written) for memory-bound steps.
/// </summary>
public sealed class OperationProfile : IProfileSection
{
    public void Run(IBackend b, ProfilerOptions options, Report report)
    {
        report.Heading("Operations");
        var rows = new List<string[]>();
        var rng = new Random(1);
        using var table = Upload(b, Uniform(rng, TrainTableRows * Input, 0, 1));
        // The same table as 8-bit values (how a dataset of images is held), made without drawing from rng.
        using var byteTable = Upload(b, Enumerable.Range(0, TrainTableRows * Input).Select(i => (byte)(i * 37)).ToArray());
        foreach (int n in new[] { 128, 1024 })
        {
            int pairs = n / 2;
            using var idx = Upload(b, Indices(rng, n, TrainTableRows));
            using var x = b.Allocate<float>(n * Input);
            using var w1 = Upload(b, Weights(rng, Input, Hidden)); using var b1 = Upload(b, Uniform(rng, Hidden, -0.1f, 0.1f));
            using var w2 = Upload(b, Weights(rng, Hidden, Embedding)); using var b2 = Upload(b, Uniform(rng, Embedding, -0.1f, 0.1f));
            using var h = b.Allocate<float>(n * Hidden); using var e = b.Allocate<float>(n * Embedding);
            using var dh = Upload(b, Uniform(rng, n * Hidden, -1, 1)); using var de = Upload(b, Uniform(rng, n * Embedding, -1, 1));
            using var dx = b.Allocate<float>(n * Input);
            using var dw1 = b.Allocate<float>(Input * Hidden); using var db1 = b.Allocate<float>(Hidden);
            using var dw2 = b.Allocate<float>(Hidden * Embedding); using var db2 = b.Allocate<float>(Embedding);
            using var dist = b.Allocate<float>(pairs); using var loss = b.Allocate<float>(pairs);
            using var dDist = b.Allocate<float>(pairs);
            using var labels = Upload(b, Indices(rng, pairs, 2));
            b.GatherRows(table, idx, x, n, Input);
            b.DenseForward(x, w1, b1, h, n, Input, Hidden, Activation.Relu);
            b.DenseForward(h, w2, b2, e, n, Hidden, Embedding, Activation.Relu);
            b.PairDistanceForward(e, dist, pairs, Embedding, 1e-7f);

            void Add(string name, Action op, double flops, double bytes)
            {
                var t = Timing.Measure(op, options.Quick, b.Synchronize);
                string rate = flops > 0 ? $"{Report.Rate(flops / t.MedianUs / 1e3)} GFLOP/s" : $"{Report.Rate(bytes / t.MedianUs / 1e3)} GB/s";
                rows.Add([name, n.ToString(), Report.Us(t.MedianUs), rate, Report.Us(t.FirstUs)]);
            }
            double Mm(int i, int o) => 2.0 * n * i * o;
            Add("gather rows (196 wide, 54,000-row table)", () => b.GatherRows(table, idx, x, n, Input), 0, 2.0 * n * Input * 4);
            Add("gather rows from bytes (196 wide, 54,000-row table)", () => b.GatherRowsFromBytes(byteTable, idx, x, n, Input), 0, n * Input * 5.0);
            Add("dense forward 196→200 ReLU", () => b.DenseForward(x, w1, b1, h, n, Input, Hidden, Activation.Relu), Mm(Input, Hidden), 0);
            Add("dense forward 200→10 ReLU", () => b.DenseForward(h, w2, b2, e, n, Hidden, Embedding, Activation.Relu), Mm(Hidden, Embedding), 0);
            Add("pair distance forward (dim 10)", () => b.PairDistanceForward(e, dist, pairs, Embedding, 1e-7f), 0, (2.0 * n * Embedding + pairs) * 4);
            Add("pair loss bounded Q=5 (fwd+bwd)", () => b.PairLoss(LossKind.ContrastiveBounded, 5f, dist, labels, loss, dDist, pairs), 0, pairs * 16.0);
            Add("pair distance backward (dim 10)", () => b.PairDistanceBackward(e, dist, dDist, de, pairs, Embedding, 1e-7f), 0, (4.0 * n * Embedding + 2 * pairs) * 4);
            Add("activation backward ReLU (200 wide)", () => b.ActivationBackward(h, dh, n * Hidden, Activation.Relu), 0, 3.0 * n * Hidden * 4);
            Add("dense backward weights 200→10", () => b.DenseBackwardWeights(h, de, dw2, db2, n, Hidden, Embedding), Mm(Hidden, Embedding), 0);
            Add("dense backward data 200→10", () => b.DenseBackwardData(de, w2, dh, n, Hidden, Embedding), Mm(Hidden, Embedding), 0);
            Add("dense backward weights 196→200", () => b.DenseBackwardWeights(x, dh, dw1, db1, n, Input, Hidden), Mm(Input, Hidden), 0);
            Add("dense backward data 196→200", () => b.DenseBackwardData(dh, w1, dx, n, Input, Hidden), Mm(Input, Hidden), 0);
            Add("triplet loss (fwd+bwd, dim 10)", () => b.TripletLoss(e, loss, de, n / 3, Embedding, 1f, 1e-7f), 0, (2.0 * (n / 3 * 3) * Embedding + n / 3) * 4);
            Add("dropout p=0.1 (200 wide)", () => b.Dropout(dh, n * Hidden, 0.1f, 7, 3), 0, 2.0 * n * Hidden * 4);
            Add("sum of the batch's loss", () => b.Sum(loss, pairs), 0, pairs * 4.0);
        }

        int p = Parameters;
        var r2 = new Random(2);
        using var prm = Upload(b, Uniform(r2, p, -0.1f, 0.1f)); using var g = Upload(b, Uniform(r2, p, -0.01f, 0.01f));
        using var m = b.Allocate<float>(p); using var v = b.Allocate<float>(p);
        int t = 0;
        void AddStep(string name, Action op, double bytes)
        {
            var tm = Timing.Measure(op, options.Quick, b.Synchronize);
            rows.Add([name, $"{p:N0} params", Report.Us(tm.MedianUs), $"{Report.Rate(bytes / tm.MedianUs / 1e3)} GB/s", Report.Us(tm.FirstUs)]);
        }
        AddStep("Adam (bias-corrected)", () => b.AdamStep(prm, g, m, v, p, 0.001f, 0.9f, 0.999f, 1e-7f, ++t, 1f), 28.0 * p);
        AddStep("RMSprop", () => b.RmsPropStep(prm, g, m, p, 0.001f, 0.9f, 1e-7f, 1f), 20.0 * p);
        AddStep("SGD momentum", () => b.SgdStep(prm, g, m, p, 0.001f, 0.9f, false, 1f), 20.0 * p);
        AddStep("SGD Nesterov", () => b.SgdStep(prm, g, m, p, 0.001f, 0.9f, true, 1f), 20.0 * p);
        AddStep("weight decay (decoupled)", () => b.WeightDecay(prm, p, 1e-6f), 8.0 * p);
        AddStep("sum of squares (gradient norm)", () => b.SumOfSquares(g, p), 4.0 * p);

        report.Table(["operation", "rows", "median µs", "rate", "first call µs"], rows);
        report.Line("GB/s counts bytes read plus bytes written once each; first call includes JIT or kernel compilation.");
    }
}
