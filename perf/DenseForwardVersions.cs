using System.Runtime.Intrinsics;
using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Simd;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// Numbered versions of the SIMD dense forward, as llm.c's dev/cuda keeps them: each is checked against
/// <see cref="Ref.Dense.Forward"/> (|got − ref| ≤ 1e-5 + |ref|·1e-5) and only then timed.
/// v1 naive scalar loops in the reference's order; v2 one vector per output row (axpy over the inputs, the
/// row of Y round-trips through memory); v3 the register-tiled kernel of src/Kernels/Simd on one thread;
/// v4 v3 split over the backend's threads.
/// </summary>
public sealed unsafe class DenseForwardVersions : IProfileSection
{
    public void Run(IBackend backend, ProfilerOptions options, Report report)
    {
        if (backend is not SimdBackend b) return;
        report.Heading("Dense forward, numbered versions");
        var rows = new List<string[]>();
        foreach (var (n, inW, outW) in new[] { (128, Input, Hidden), (1024, Input, Hidden), (128, Hidden, Embedding) })
        {
            var rng = new Random(n + outW);
            var x = Uniform(rng, n * inW, 0, 1); var w = Weights(rng, inW, outW); var bias = Uniform(rng, outW, -0.1f, 0.1f);
            var expected = new double[n * outW];
            Ref.Dense.Forward(D(x), D(w), D(bias), expected, n, inW, outW, Activation.Relu);
            using var bx = (SimdBuffer<float>)Upload(b, x); using var bw = (SimdBuffer<float>)Upload(b, w);
            using var bb = (SimdBuffer<float>)Upload(b, bias); using var by = (SimdBuffer<float>)b.Allocate<float>(n * outW);
            using var scratch = (SimdBuffer<float>)b.Allocate<float>(Dense.ScratchLength(b.Width, inW));
            float* xp = bx.Pointer, wp = bw.Pointer, bp = bb.Pointer, yp = by.Pointer, sp = scratch.Pointer;
            var versions = new (string Name, Action Run)[]
            {
                ("v1 naive scalar", () => V1Naive(xp, wp, bp, yp, n, inW, outW)),
                ("v2 vector per output row", () => V2RowAxpy(xp, wp, bp, yp, n, inW, outW)),
                ($"v3 register-tiled 4x4 {b.Width}, 1 thread", () => Dense.Forward(b.Width, xp, wp, bp, yp, 0, n, inW, outW, Activation.Relu, sp)),
                ($"v4 v3 on {b.Threads} thread(s)", () => b.DenseForward(bx, bw, bb, by, n, inW, outW, Activation.Relu)),
            };
            double flops = 2.0 * n * inW * outW, v1 = 0;
            foreach (var (name, run) in versions)
            {
                by.Span.Fill(float.NaN);
                run();
                string? wrong = Check(expected, by.Span);
                if (wrong != null)
                {
                    rows.Add([name, $"{n}x{inW}→{outW}", "-", "-", "-", $"FAILED: {wrong}"]);
                    continue;
                }
                var t = Timing.Measure(run, options.Quick);
                if (v1 == 0) v1 = t.MedianUs;
                rows.Add([name, $"{n}x{inW}→{outW}", Report.Us(t.MedianUs), Report.Rate(flops / t.MedianUs / 1e3), $"{v1 / t.MedianUs:F1}x", "ok"]);
            }
        }
        report.Table(["version", "shape", "median µs", "GFLOP/s", "vs v1", "validated"], rows);
    }

    static double[] D(float[] a) => Array.ConvertAll(a, v => (double)v);

    static string? Check(double[] expected, ReadOnlySpan<float> got)
    {
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(got[i] - expected[i]) <= 1e-5 + Math.Abs(expected[i]) * 1e-5))
                return $"[{i}] {got[i]} vs {expected[i]}";
        return null;
    }

    /// <summary>v1: Y[r,o] = relu(b[o] + Σ_i X[r,i]·W[i,o]), one output at a time, W read down a column.</summary>
    static void V1Naive(float* x, float* w, float* b, float* y, int rows, int inW, int outW)
    {
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outW; o++)
            {
                float s = b[o];
                for (int i = 0; i < inW; i++) s += x[r * inW + i] * w[i * outW + o];
                y[r * outW + o] = MathF.Max(s, 0);
            }
    }

    /// <summary>v2: Y[r,:] = b; for each i, Y[r,:] += X[r,i]·W[i,:] a register at a time; then ReLU.</summary>
    static void V2RowAxpy(float* x, float* w, float* b, float* y, int rows, int inW, int outW)
    {
        int l = Vector512<float>.Count;
        for (int r = 0; r < rows; r++)
        {
            float* yr = y + r * outW;
            for (int o = 0; o < outW; o++) yr[o] = b[o];
            for (int i = 0; i < inW; i++)
            {
                var xi = Vector512.Create(x[r * inW + i]);
                float* wi = w + i * outW;
                int o = 0;
                for (; o + l <= outW; o += l) Vector512.MultiplyAddEstimate(xi, Vector512.Load(wi + o), Vector512.Load(yr + o)).Store(yr + o);
                for (; o < outW; o++) yr[o] += x[r * inW + i] * wi[o];
            }
            for (int o = 0; o < outW; o++) yr[o] = MathF.Max(yr[o], 0);
        }
    }
}
