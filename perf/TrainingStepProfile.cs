using System.Diagnostics;
using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// One training step of the exercise as the IBackend calls a trainer makes: upload the batch's 128 indices
/// and 64 labels; gather 128 rows of a 54,000x196 table; dense 196→200 ReLU; dense 200→10 ReLU; pair
/// distance; bounded contrastive loss Q = 5 and its sum; backward through all of it; Adam over 41,410
/// parameters. Timed step by step over the exercise's whole job (4,690 steps) after a warm-up.
/// </summary>
public sealed class TrainingStepProfile : IProfileSection
{
    /// <summary>Targets of issue 4 for the simd backend, and PyTorch 1.13 + OpenBLAS on this machine.</summary>
    public const double TargetStepUs = 500, StretchStepUs = 250, PyTorchJobSeconds = 5.1;

    public void Run(IBackend b, ProfilerOptions options, Report report)
    {
        report.Heading("Training step (the exercise: 64 pairs, 196-200-10 ReLU, contrastive Q=5, Adam)");
        const int pairs = BatchPairs, rows = 2 * BatchPairs;
        var rng = new Random(3);
        using var table = Upload(b, Uniform(rng, TrainTableRows * Input, 0, 1));
        using var prm = b.Allocate<float>(Parameters);
        var init = new float[Parameters];
        Weights(rng, Input, Hidden).CopyTo(init, 0);
        Weights(rng, Hidden, Embedding).CopyTo(init, Input * Hidden + Hidden);
        b.Upload<float>(prm, init);
        using var grad = b.Allocate<float>(Parameters);
        using var m = b.Allocate<float>(Parameters); using var v = b.Allocate<float>(Parameters);
        var (w1, b1, w2, b2) = Layers(prm);
        var (dw1, db1, dw2, db2) = Layers(grad);
        using var idx = b.Allocate<int>(rows); using var labels = b.Allocate<int>(pairs);
        using var x = b.Allocate<float>(rows * Input); using var h = b.Allocate<float>(rows * Hidden);
        using var e = b.Allocate<float>(rows * Embedding); using var dist = b.Allocate<float>(pairs);
        using var loss = b.Allocate<float>(pairs); using var dDist = b.Allocate<float>(pairs);
        using var de = b.Allocate<float>(rows * Embedding); using var dh = b.Allocate<float>(rows * Hidden);
        var batches = Enumerable.Range(0, 64).Select(_ => (Indices(rng, rows, TrainTableRows), Indices(rng, pairs, 2))).ToArray();
        int t = 0;
        float lossSum = 0;

        void Step()
        {
            var (bi, bl) = batches[t % batches.Length];
            t++;
            b.Upload<int>(idx, bi);
            b.Upload<int>(labels, bl);
            b.GatherRows(table, idx, x, rows, Input);
            b.DenseForward(x, w1, b1, h, rows, Input, Hidden, Activation.Relu);
            b.DenseForward(h, w2, b2, e, rows, Hidden, Embedding, Activation.Relu);
            b.PairDistanceForward(e, dist, pairs, Embedding, 1e-7f);
            b.PairLoss(LossKind.ContrastiveBounded, 5f, dist, labels, loss, dDist, pairs);
            lossSum += b.Sum(loss, pairs);
            b.PairDistanceBackward(e, dist, dDist, de, pairs, Embedding, 1e-7f);
            b.ActivationBackward(e, de, rows * Embedding, Activation.Relu);
            b.DenseBackwardWeights(h, de, dw2, db2, rows, Hidden, Embedding);
            b.DenseBackwardData(de, w2, dh, rows, Hidden, Embedding);
            b.ActivationBackward(h, dh, rows * Hidden, Activation.Relu);
            b.DenseBackwardWeights(x, dh, dw1, db1, rows, Input, Hidden);
            b.AdamStep(prm, grad, m, v, Parameters, 0.01f, 0.9f, 0.999f, 1e-7f, t, 1f);
        }

        long t0 = Stopwatch.GetTimestamp();
        Step();
        b.Synchronize();
        double firstUs = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        for (int k = 0; k < 200; k++) Step();
        b.Synchronize();

        int steps = options.Quick ? 500 : JobSteps;
        var samples = new double[steps];
        var job = Stopwatch.StartNew();
        for (int k = 0; k < steps; k++)
        {
            long s = Stopwatch.GetTimestamp();
            Step();
            b.Synchronize();
            samples[k] = Stopwatch.GetElapsedTime(s).TotalMicroseconds;
        }
        double wallUs = job.Elapsed.TotalMicroseconds;
        Array.Sort(samples);
        double median = samples[steps / 2], mean = wallUs / steps, p90 = samples[steps * 9 / 10];
        double jobSeconds = mean * JobSteps / 1e6;

        report.Table(["figure", "value"],
        [
            ["µs per step, median", Report.Us(median)],
            ["µs per step, mean (p90)", $"{Report.Us(mean)} ({Report.Us(p90)})"],
            ["GFLOP/s over the step (median)", Report.Rate(StepFlops(rows) / median / 1e3)],
            ["training pairs/s (mean)", $"{pairs / mean * 1e6:N0}"],
            [$"exercise job, {JobSteps:N0} steps{(options.Quick ? " (estimated from 500)" : " (measured)")}", $"{jobSeconds:F2} s"],
            ["exercise job at the median step", $"{median * JobSteps / 1e6:F2} s"],
            ["vs target 0.5 ms/step (2.5 s job), mean / median", $"{TargetStepUs / mean:F2}x / {TargetStepUs / median:F2}x"],
            ["vs stretch 0.25 ms/step (1.2 s job), mean / median", $"{StretchStepUs / mean:F2}x / {StretchStepUs / median:F2}x"],
            ["vs PyTorch 1.13 + OpenBLAS (5.1 s job)", $"{PyTorchJobSeconds / jobSeconds:F1}x"],
            ["first step (JIT/compile) µs", Report.Us(firstUs)],
        ]);
        report.Line("The mean includes every step's stalls (other processes, GC); the median is the step itself.");
        if (b is SimdBackend simd && simd.Threads > 1)
            report.Line($"Splits that stalled on a late worker (each followed by 256 or more operations on one thread): {simd.SplitStalls}.");
        report.Line($"Ratios above 1 are faster than the figure named. Mean loss over the timed steps {lossSum / t / pairs:F3} (random data: only a sign that the numbers stay finite).");
    }

    static (DeviceBuffer<float>, DeviceBuffer<float>, DeviceBuffer<float>, DeviceBuffer<float>) Layers(DeviceBuffer<float> flat)
    {
        int o = 0;
        DeviceBuffer<float> Next(int n) { var s = flat.Slice(o, n); o += n; return s; }
        return (Next(Input * Hidden), Next(Hidden), Next(Hidden * Embedding), Next(Embedding));
    }
}
