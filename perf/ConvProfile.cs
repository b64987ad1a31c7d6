using System.Runtime.CompilerServices;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using GpuSiamese.Kernels.Simd;
using Ref = GpuSiamese.Kernels.Reference;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// The convolution and max-pool operations at the comparison network's shapes (issue 12: 1x14x14 → conv 32 3x3 same
/// → pool → conv 64 3x3 same → pool; a batch of 64 pairs = 128 images), beside dense forward at 1,024x196→200 measured
/// in the same run: GFLOP/s and its ratio to that dense figure (the goal on simd: ≥ 60 % for conv forward and
/// both backward passes). On simd, numbered versions of each conv pass, each checked against
/// <see cref="Ref.Conv2d"/> before it is timed: v1 the direct definition in float, one output at a time; v2 the whole
/// batch lowered at once (im2col of all 128 images, then the backend's dense operation on the whole patch matrix, split
/// over its threads by rows; col2im after it for backward data); v3 the shipped lowering: blocks of about 512 output
/// pixels, each block's patches made and multiplied by the single-thread dense kernels of src/Kernels/Simd/Dense.cs
/// while they are in L2, blocks spread over the threads, the blocks' partial dW added in order.
/// </summary>
public sealed unsafe class ConvProfile : IProfileSection
{
    public const int Images = 128;

    /// <summary>The comparison network's two convolutions.</summary>
    static readonly (string Name, Conv2dGeometry G)[] Convs =
    [
        ("conv1 1x14x14→32 3x3 same", new Conv2dGeometry(Images, 14, 14, 1, 32, 3, ConvPadding.Same)),
        ("conv2 32x7x7→64 3x3 same", new Conv2dGeometry(Images, 7, 7, 32, 64, 3, ConvPadding.Same)),
    ];

    public void Run(IBackend b, ProfilerOptions options, Report report)
    {
        report.Heading("Convolution and max-pool at the comparison network's shapes (128 images)");
        var rows = new List<string[]>();
        var rng = new Random(3);
        double denseRate;
        {
            int n = 1024;
            using var x = Upload(b, Uniform(rng, n * Input, 0, 1)); using var w = Upload(b, Weights(rng, Input, Hidden));
            using var bias = Upload(b, Uniform(rng, Hidden, -0.1f, 0.1f)); using var y = b.Allocate<float>(n * Hidden);
            var t = Timing.Measure(() => b.DenseForward(x, w, bias, y, n, Input, Hidden, Activation.Relu), options.Quick, b.Synchronize);
            denseRate = 2.0 * n * Input * Hidden / t.MedianUs / 1e3;
            rows.Add(["dense forward 1024x196→200 ReLU (the yardstick)", Report.Us(t.MedianUs), Report.Rate(denseRate), "1.00", Report.Us(t.FirstUs)]);
        }
        void Add(string name, Action op, double flops, double bytes)
        {
            var t = Timing.Measure(op, options.Quick, b.Synchronize);
            double rate = flops > 0 ? flops / t.MedianUs / 1e3 : bytes / t.MedianUs / 1e3;
            rows.Add([name, Report.Us(t.MedianUs), flops > 0 ? $"{Report.Rate(rate)}" : $"{Report.Rate(rate)} GB/s",
                flops > 0 ? $"{rate / denseRate:F2}" : "-", Report.Us(t.FirstUs)]);
        }
        foreach (var (name, g) in Convs)
        {
            using var x = Upload(b, Uniform(rng, g.Images * g.InSize, 0, 1));
            using var w = Upload(b, Uniform(rng, g.WeightCount, -MathF.Sqrt(6f / g.PatchSize), MathF.Sqrt(6f / g.PatchSize)));
            using var bias = Upload(b, Uniform(rng, g.OutChannels, -0.1f, 0.1f));
            using var y = b.Allocate<float>(g.Images * g.OutSize);
            using var dy = Upload(b, Uniform(rng, g.Images * g.OutSize, -1, 1));
            using var dx = b.Allocate<float>(g.Images * g.InSize);
            using var dw = b.Allocate<float>(g.WeightCount); using var db = b.Allocate<float>(g.OutChannels);
            double flops = 2.0 * g.MultiplyAdds;
            Add($"{name} forward ReLU", () => b.Conv2dForward(x, w, bias, y, g, Activation.Relu), flops, 0);
            Add($"{name} backward data", () => b.Conv2dBackwardData(dy, w, dx, g), flops, 0);
            Add($"{name} backward weights+bias", () => b.Conv2dBackwardWeights(x, dy, dw, db, g), flops, 0);

            int h = g.OutHeight, wd = g.OutWidth, c = g.OutChannels, outN = Images * (h / 2) * (wd / 2) * c;
            using var win = b.Allocate<int>(outN); using var py = b.Allocate<float>(outN);
            using var pdy = Upload(b, Uniform(rng, outN, -1, 1));
            Add($"max-pool forward {c}x{h}x{wd}", () => b.MaxPoolForward(y, py, win, Images, h, wd, c), 0, 4.0 * (Images * h * wd * c + 2.0 * outN));
            using var pdx = b.Allocate<float>(Images * h * wd * c);
            Add($"max-pool backward {c}x{h}x{wd}", () => b.MaxPoolBackward(pdy, win, pdx, Images, h, wd, c),
                0, 4.0 * (Images * h * wd * c + 2.0 * outN));
        }
        report.Table(["operation", "median µs", "GFLOP/s", "÷ dense fwd", "first call µs"], rows);
        report.Line("FLOPs of each conv pass: 2·images·OH·OW·k²·inC·outC. Max-pool: GB/s of bytes read + written once each.");
        if (b is SimdBackend simd) Versions(simd, options, report);
    }

    static void Versions(SimdBackend b, ProfilerOptions options, Report report)
    {
        report.Heading("Convolution, numbered versions (simd)");
        var rows = new List<string[]>();
        foreach (var (name, g) in Convs)
        {
            var rng = new Random(g.OutChannels);
            var x = Uniform(rng, g.Images * g.InSize, 0, 1);
            var w = Uniform(rng, g.WeightCount, -MathF.Sqrt(6f / g.PatchSize), MathF.Sqrt(6f / g.PatchSize));
            var bias = Uniform(rng, g.OutChannels, -0.1f, 0.1f);
            var dy = Uniform(rng, g.Images * g.OutSize, -1, 1);
            var ey = new double[g.Images * g.OutSize]; var edx = new double[g.Images * g.InSize];
            var ew = new double[g.WeightCount]; var eb = new double[g.OutChannels];
            Ref.Conv2d.Forward(D(x), D(w), D(bias), ey, g, Activation.Relu);
            Ref.Conv2d.BackwardData(D(dy), D(w), edx, g);
            Ref.Conv2d.BackwardWeights(D(x), D(dy), ew, eb, g);
            using var bx = (SimdBuffer<float>)Upload(b, x); using var bw = (SimdBuffer<float>)Upload(b, w);
            using var bb = (SimdBuffer<float>)Upload(b, bias); using var bdy = (SimdBuffer<float>)Upload(b, dy);
            using var by = (SimdBuffer<float>)b.Allocate<float>(ey.Length); using var bdx = (SimdBuffer<float>)b.Allocate<float>(edx.Length);
            using var bdw = (SimdBuffer<float>)b.Allocate<float>(ew.Length); using var bdb = (SimdBuffer<float>)b.Allocate<float>(eb.Length);
            using var patches = (SimdBuffer<float>)b.Allocate<float>(g.OutPixels * g.PatchSize);
            float* xp = bx.Pointer, wp = bw.Pointer, bp = bb.Pointer, dyp = bdy.Pointer, yp = by.Pointer, dxp = bdx.Pointer, dwp = bdw.Pointer, dbp = bdb.Pointer;
            double flops = 2.0 * g.MultiplyAdds, sumTol = 1e-5 * Math.Max(1.0, g.OutPixels / 128.0);
            var passes = new (string Pass, string Version, Action Run, Func<string?> Check)[]
            {
                ("forward", "v1 direct, scalar", () => V1Forward(xp, wp, bp, yp, g), () => Check(ey, by.Span, 1e-5)),
                ("forward", $"v2 whole-batch im2col + dense product, {b.Threads} thread(s)", () => V2Forward(b, patches, bx, bw, bb, by, g), () => Check(ey, by.Span, 1e-5)),
                ("forward", $"v3 blocks of ~512 pixels in L2, {b.Threads} thread(s)", () => b.Conv2dForwardLowered(bx, bw, bb, by, g, Activation.Relu), () => Check(ey, by.Span, 1e-5)),
                ("forward", $"v4 direct, 4 pixels x 2 vectors, {b.Threads} thread(s)", () => b.Conv2dForwardDirect(bx, bw, bb, by, g, Activation.Relu), () => Check(ey, by.Span, 1e-5)),
                ("backward data", "v1 direct, scalar", () => V1BackwardData(dyp, wp, dxp, g), () => Check(edx, bdx.Span, 1e-5)),
                ("backward data", $"v2 whole-batch dense product + col2im, {b.Threads} thread(s)", () => V2BackwardData(b, patches, bdy, bw, bdx, g), () => Check(edx, bdx.Span, 1e-5)),
                ("backward data", $"v3 blocks of ~512 pixels in L2, {b.Threads} thread(s)", () => b.Conv2dBackwardDataLowered(bdy, bw, bdx, g), () => Check(edx, bdx.Span, 1e-5)),
                ("backward data", $"v4 direct from padded dY, 4 pixels, {b.Threads} thread(s)", () => b.Conv2dBackwardDataDirect(bdy, bw, bdx, g), () => Check(edx, bdx.Span, 1e-5)),
                ("backward weights", "v1 direct, scalar", () => V1BackwardWeights(xp, dyp, dwp, dbp, g), () => Check(ew, bdw.Span, sumTol) ?? Check(eb, bdb.Span, sumTol)),
                ("backward weights", $"v2 whole-batch im2col + dense product, {b.Threads} thread(s)", () => V2BackwardWeights(b, patches, bx, bdy, bdw, bdb, g), () => Check(ew, bdw.Span, sumTol) ?? Check(eb, bdb.Span, sumTol)),
                ("backward weights", $"v3 blocks of ~512 pixels in L2, partial dW, {b.Threads} thread(s)", () => b.Conv2dBackwardWeights(bx, bdy, bdw, bdb, g, direct: false), () => Check(ew, bdw.Span, sumTol) ?? Check(eb, bdb.Span, sumTol)),
                ("backward weights", $"v4 direct, 3 taps x 2 vectors, partial dW, {b.Threads} thread(s)", () => b.Conv2dBackwardWeights(bx, bdy, bdw, bdb, g, direct: true), () => Check(ew, bdw.Span, sumTol) ?? Check(eb, bdb.Span, sumTol)),
            };
            double v1 = 0;
            foreach (var (pass, version, run, check) in passes)
            {
                by.Span.Fill(float.NaN); bdx.Span.Fill(float.NaN); bdw.Span.Fill(float.NaN); bdb.Span.Fill(float.NaN);
                run();
                string? wrong = check();
                if (wrong != null)
                {
                    rows.Add([$"{name} {pass}", version, "-", "-", "-", $"FAILED: {wrong}"]);
                    continue;
                }
                var t = Timing.Measure(run, options.Quick);
                if (version.StartsWith("v1", StringComparison.Ordinal)) v1 = t.MedianUs;
                rows.Add([$"{name} {pass}", version, Report.Us(t.MedianUs), Report.Rate(flops / t.MedianUs / 1e3), $"{v1 / t.MedianUs:F1}x", "ok"]);
            }
        }
        report.Table(["pass", "version", "median µs", "GFLOP/s", "vs v1", "validated"], rows);
        report.Line("Validated as the parity fixtures do: 1e-5 + |ref|·1e-5, the absolute part ×(terms/128) for dW and db (tests/Kernels/Conv2dTests.cs).");
    }

    /// <summary>v2: im2col of the whole batch, then one dense forward over all its rows.</summary>
    static void V2Forward(SimdBackend b, SimdBuffer<float> patches, SimdBuffer<float> x, SimdBuffer<float> w, SimdBuffer<float> bias,
        SimdBuffer<float> y, Conv2dGeometry g)
    {
        Conv2d.Im2Col(x.Pointer, patches.Pointer, 0, g.Images, g);
        b.DenseForward(patches, w, bias, y, g.OutPixels, g.PatchSize, g.OutChannels, Activation.Relu);
    }

    /// <summary>v2: one dense backward-data product over the whole batch, then col2im.</summary>
    static void V2BackwardData(SimdBackend b, SimdBuffer<float> patches, SimdBuffer<float> dy, SimdBuffer<float> w, SimdBuffer<float> dx, Conv2dGeometry g)
    {
        b.DenseBackwardData(dy, w, patches, g.OutPixels, g.PatchSize, g.OutChannels);
        Conv2d.Col2Im(b.Width, patches.Pointer, dx.Pointer, 0, g.Images, g);
    }

    /// <summary>v2: im2col of the whole batch, then one dense backward-weights product (threads split the rows of dW).</summary>
    static void V2BackwardWeights(SimdBackend b, SimdBuffer<float> patches, SimdBuffer<float> x, SimdBuffer<float> dy, SimdBuffer<float> dw,
        SimdBuffer<float> db, Conv2dGeometry g)
    {
        Conv2d.Im2Col(x.Pointer, patches.Pointer, 0, g.Images, g);
        b.DenseBackwardWeights(patches, dy, dw, db, g.OutPixels, g.PatchSize, g.OutChannels);
    }

    static double[] D(float[] a) => Array.ConvertAll(a, v => (double)v);

    static string? Check(double[] expected, ReadOnlySpan<float> got, double tol)
    {
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(got[i] - expected[i]) <= tol + Math.Abs(expected[i]) * 1e-5))
                return $"[{i}] {got[i]} vs {expected[i]}";
        return null;
    }

    /// <summary>v1: the definition, one output at a time, padding skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void V1Forward(float* x, float* w, float* b, float* y, Conv2dGeometry g)
    {
        for (int n = 0; n < g.Images; n++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                    for (int o = 0; o < g.OutChannels; o++)
                    {
                        float s = b[o];
                        for (int i = 0; i < g.Kernel; i++)
                        {
                            int h = oh + i - g.Pad;
                            if (h < 0 || h >= g.Height) continue;
                            for (int j = 0; j < g.Kernel; j++)
                            {
                                int v = ow + j - g.Pad;
                                if (v < 0 || v >= g.Width) continue;
                                float* xr = x + ((n * g.Height + h) * g.Width + v) * g.InChannels;
                                float* wr = w + (i * g.Kernel + j) * g.InChannels * g.OutChannels + o;
                                for (int c = 0; c < g.InChannels; c++) s += xr[c] * wr[c * g.OutChannels];
                            }
                        }
                        y[((n * g.OutHeight + oh) * g.OutWidth + ow) * g.OutChannels + o] = MathF.Max(s, 0);
                    }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void V1BackwardData(float* dy, float* w, float* dx, Conv2dGeometry g)
    {
        for (int n = 0; n < g.Images; n++)
            for (int h = 0; h < g.Height; h++)
                for (int v = 0; v < g.Width; v++)
                    for (int c = 0; c < g.InChannels; c++)
                    {
                        float s = 0;
                        for (int i = 0; i < g.Kernel; i++)
                        {
                            int oh = h + g.Pad - i;
                            if (oh < 0 || oh >= g.OutHeight) continue;
                            for (int j = 0; j < g.Kernel; j++)
                            {
                                int ow = v + g.Pad - j;
                                if (ow < 0 || ow >= g.OutWidth) continue;
                                float* dr = dy + ((n * g.OutHeight + oh) * g.OutWidth + ow) * g.OutChannels;
                                float* wr = w + ((i * g.Kernel + j) * g.InChannels + c) * g.OutChannels;
                                for (int o = 0; o < g.OutChannels; o++) s += dr[o] * wr[o];
                            }
                        }
                        dx[((n * g.Height + h) * g.Width + v) * g.InChannels + c] = s;
                    }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void V1BackwardWeights(float* x, float* dy, float* dw, float* db, Conv2dGeometry g)
    {
        for (int i = 0; i < g.Kernel; i++)
            for (int j = 0; j < g.Kernel; j++)
                for (int c = 0; c < g.InChannels; c++)
                    for (int o = 0; o < g.OutChannels; o++)
                    {
                        float s = 0;
                        for (int n = 0; n < g.Images; n++)
                            for (int oh = 0; oh < g.OutHeight; oh++)
                            {
                                int h = oh + i - g.Pad;
                                if (h < 0 || h >= g.Height) continue;
                                for (int ow = 0; ow < g.OutWidth; ow++)
                                {
                                    int v = ow + j - g.Pad;
                                    if (v < 0 || v >= g.Width) continue;
                                    s += x[((n * g.Height + h) * g.Width + v) * g.InChannels + c] * dy[((n * g.OutHeight + oh) * g.OutWidth + ow) * g.OutChannels + o];
                                }
                            }
                        dw[((i * g.Kernel + j) * g.InChannels + c) * g.OutChannels + o] = s;
                    }
        for (int o = 0; o < g.OutChannels; o++)
        {
            float s = 0;
            for (int p = 0; p < g.OutPixels; p++) s += dy[p * g.OutChannels + o];
            db[o] = s;
        }
    }
}
