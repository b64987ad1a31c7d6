using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuSiamese.Kernels.Simd;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>
/// The three products under a dense layer at the sizes of issue 15 (the 196-2048-1024-64 network at 128 and
/// 1,024 rows, and 1024×1024×1024), every figure as a fraction of this machine's measured fp32 peak: an FMA
/// loop on one core and on the backend's threads at once (<see cref="FmaPeak"/>). Numbered versions, each
/// validated against a double-precision dot product on sampled outputs before it is timed:
/// v1 the register-tiled kernels (src's fast path for small products: rows split over the threads, dX on Wᵀ
/// transposed first, dW split over its rows); v2 the packed product of src (<see cref="Dense.PackedProduct"/>:
/// B packed in kc×32 panels, 8×32 micro-tile, split over column blocks); v3 what <see cref="SimdBackend"/>
/// chooses (the size rule <see cref="Dense.Packs"/>). v1 and v2 run on the backend's thread count.
/// </summary>
public sealed unsafe class ProductVersions : IProfileSection
{
    /// <summary>The products: (label, kind, rows, inW, outW) with kind F = Y = X·W, D = dX = dY·Wᵀ, W = dW = Xᵀ·dY.</summary>
    public static IEnumerable<(char Kind, int Rows, int InW, int OutW)> Shapes()
    {
        foreach (int r in new[] { 128, 1024 })
        {
            yield return ('F', r, 196, 2048); yield return ('F', r, 2048, 1024); yield return ('F', r, 1024, 64);
            yield return ('D', r, 2048, 1024); yield return ('D', r, 1024, 64);
            yield return ('W', r, 196, 2048); yield return ('W', r, 2048, 1024); yield return ('W', r, 1024, 64);
        }
        yield return ('F', 1024, 1024, 1024);
        yield return ('D', 1024, 1024, 1024);
        yield return ('W', 1024, 1024, 1024);
    }

    public void Run(IBackend backend, ProfilerOptions options, Report report)
    {
        if (backend is not SimdBackend b) return;
        var (wall1, peak1) = FmaPeak.Measure(b.Width, 1);
        var (wallT, peakT) = FmaPeak.Measure(b.Width, b.Threads);
        report.Heading("Dense products, numbered versions, as a fraction of the FMA peak");
        report.Line($"FMA peak ({b.Width}, 12 independent accumulators, best of 5), per second of CPU each thread got: {peak1:F1} GFLOP/s on 1 thread, " +
            $"{peakT:F1} GFLOP/s on {b.Threads} threads at once (by the wall clock: {wall1:F1} and {wallT:F1}, lower where other processes took the cores). " +
            "% below is of the CPU-time peak for the version's thread count; the 1-thread rows are timed by the thread's CPU time.");
        report.Line("");
        using var pool = new SimdWorkerPool(b.Threads);
        var scratch = Enumerable.Range(0, b.Threads).Select(_ => (SimdBuffer<float>)b.Allocate<float>(Dense.PackedScratchFloats)).ToArray();
        var rows = new List<string[]>();
        var only = Environment.GetEnvironmentVariable("GPUSIAMESE_PRODUCTS")?.Split(',');
        foreach (var (kind, n, inW, outW) in Shapes())
        {
            if (only != null && !only.Contains($"{kind}{n}x{inW}x{outW}")) continue;
            var rng = new Random(n + inW + outW + kind);
            // F: A = X [n, inW], B = W; D: A = dY [n, outW], B = Wᵀ; W: A = Xᵀ, B = dY [n, outW].
            using var x = (SimdBuffer<float>)Workload.Upload(b, Workload.Uniform(rng, n * inW, -1, 1));
            using var w = (SimdBuffer<float>)Workload.Upload(b, Workload.Uniform(rng, inW * outW, -1, 1));
            using var bias = (SimdBuffer<float>)Workload.Upload(b, Workload.Uniform(rng, outW, -1, 1));
            using var dy = (SimdBuffer<float>)Workload.Upload(b, Workload.Uniform(rng, n * outW, -1, 1));
            using var wT = (SimdBuffer<float>)b.Allocate<float>(inW * outW);
            int outLen = kind switch { 'F' => n * outW, 'D' => n * inW, _ => inW * outW };
            using var o = (SimdBuffer<float>)b.Allocate<float>(outLen);
            using var db = (SimdBuffer<float>)b.Allocate<float>(outW);
            float* xp = x.Pointer, wp = w.Pointer, bp = bias.Pointer, dyp = dy.Pointer, op = o.Pointer, tp = wT.Pointer, dbp = db.Pointer;
            var width = b.Width;
            int threads = b.Threads;
            // The general product each kind is: A [m, k], B [k, nn] through strides.
            var (a, am, ak, bb, bk, bn, m, nn, k) = kind switch
            {
                'F' => ((nint)xp, (long)inW, 1L, (nint)wp, (long)outW, 1L, n, outW, inW),
                'D' => ((nint)dyp, (long)outW, 1L, (nint)wp, 1L, (long)outW, n, inW, outW),
                _ => ((nint)xp, 1L, (long)inW, (nint)dyp, (long)outW, 1L, inW, outW, n),
            };
            string name = kind switch { 'F' => "Y = X·W", 'D' => "dX = dY·Wᵀ", _ => "dW = Xᵀ·dY" };
            var versions = new (string Name, Action Run)[]
            {
                ("v1 register-tiled", () => RegisterTiled(pool, width, kind, xp, wp, bp, dyp, tp, op, dbp, n, inW, outW)),
                ("v2 packed 8x32, 1 thread (CPU time)", () => Dense.PackedProduct(width, (float*)a, am, ak, (float*)bb, bk, bn, kind == 'F' ? bp : null, op, ldcOf(kind, inW, outW), k, 0, m, 0, nn, kind == 'F', scratch[0].Pointer, kind == 'W' ? dbp : null)),
                ("v2 packed 8x32", () => Packed(pool, scratch, width, (float*)a, am, ak, (float*)bb, bk, bn, kind == 'F' ? bp : null, op, m, nn, k, kind == 'F', kind == 'W' ? dbp : null)),
                ("v3 backend's choice", () =>
                {
                    if (kind == 'F') b.DenseForward(x, w, bias, o, n, inW, outW, Kernels.Activation.Relu);
                    else if (kind == 'D') b.DenseBackwardData(dy, w, o, n, inW, outW);
                    else b.DenseBackwardWeights(x, dy, o, db, n, inW, outW);
                }),
            };
            double flops = 2.0 * n * inW * outW;
            foreach (var (vname, run) in versions)
            {
                o.Span.Fill(float.NaN);
                run();
                string? wrong = Check((float*)a, am, ak, (float*)bb, bk, bn, kind == 'F' ? bp : null, op, m, nn, k, kind == 'F', rng);
                string label = $"{name} {n}x{inW}→{outW}";
                if (wrong != null)
                {
                    rows.Add([label, vname, "-", "-", "-", "-", $"FAILED: {wrong}"]);
                    continue;
                }
                if (vname.Contains("CPU time"))
                {
                    double us = ThreadCpuTime.BestUs(run, options.Quick ? 3 : 7), g1 = flops / us / 1e3;
                    rows.Add([label, vname, "-", Report.Us(us), Report.Rate(g1), $"{100 * g1 / peak1:F0} % of 1-thread", "ok"]);
                    continue;
                }
                var t = Timing.Measure(run, options.Quick);
                double g = flops / t.BestUs / 1e3;
                rows.Add([label, vname, Report.Us(t.MedianUs), Report.Us(t.BestUs), Report.Rate(g), $"{100 * g / peakT:F0} %", "ok"]);
            }
        }
        foreach (var s in scratch) s.Dispose();
        report.Table(["product", "version", "median µs", "best µs", "GFLOP/s (best)", $"of {threads(b)} peak", "validated"], rows);
        report.Line($"Load average at the end of this section: {File.ReadAllText("/proc/loadavg").Trim()}.");
    }

    static int ldcOf(char kind, int inW, int outW) => kind == 'D' ? inW : outW;

    static string threads(SimdBackend b) => $"{b.Threads}-thread";

    /// <summary>Sampled outputs against a double-precision dot product (with bias and ReLU where forward).</summary>
    static string? Check(float* a, long am, long ak, float* b, long bk, long bn, float* bias, float* c, int m, int n, int k, bool relu, Random rng)
    {
        for (int s = 0; s < 256; s++)
        {
            int i = rng.Next(m), j = rng.Next(n);
            if (s == 0) { i = m - 1; j = n - 1; }
            double sum = bias == null ? 0 : bias[j];
            double mag = Math.Abs(sum);
            for (int p = 0; p < k; p++)
            {
                double v = (double)a[i * am + p * ak] * b[p * bk + j * bn];
                sum += v; mag += Math.Abs(v);
            }
            if (relu) sum = Math.Max(sum, 0);
            float got = c[(long)i * n + j];
            // The float sum's error grows with the sum of |terms|, not with the result.
            if (!(Math.Abs(got - sum) <= 1e-5 + mag * 1e-6)) return $"C[{i},{j}] {got} vs {sum}";
        }
        return null;
    }

    /// <summary>v1: the register-tiled kernels as SimdBackend ran them before the packed path.</summary>
    static void RegisterTiled(SimdWorkerPool pool, VectorWidth width, char kind, float* x, float* w, float* bias, float* dy, float* wT,
        float* o, float* db, int n, int inW, int outW)
    {
        int parts = Math.Min(4 * pool.Threads, ((kind == 'W' ? inW : n) + 3) / 4);
        int count = kind == 'W' ? inW : n;
        if (kind == 'D') Dense.Transpose(w, wT, inW, outW);
        pool.Run(parts, (part, _) =>
        {
            int tiles = (count + 3) / 4;
            int s = (int)((long)tiles * part / parts) * 4, e = Math.Min((int)((long)tiles * (part + 1) / parts) * 4, count);
            if (s >= e) return;
            if (kind == 'F') Dense.Forward(width, x, w, bias, o, s, e, inW, outW, Kernels.Activation.Relu);
            else if (kind == 'D') Dense.BackwardData(width, dy, wT, o, s, e, inW, outW);
            else
            {
                Dense.BackwardWeights(width, x, dy, o, s, e, n, inW, outW);
                if (s == 0) Dense.BiasGradient(width, dy, db, n, outW);
            }
        });
    }

    /// <summary>v2: src's packed product split over column blocks (rows when there are too few columns).</summary>
    static void Packed(SimdWorkerPool pool, SimdBuffer<float>[] scratch, VectorWidth width, float* a, long am, long ak, float* b, long bk, long bn,
        float* bias, float* c, int m, int n, int k, bool relu, float* sums)
    {
        int nr = Dense.PackedColumnsPerTile(width), mr = Dense.PackedRows, threads = pool.Threads;
        int panels = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr;
        bool byColumns = panels >= 2 * threads || panels >= rowTiles;
        int tiles = byColumns ? panels : rowTiles, align = byColumns ? nr : mr, count = byColumns ? n : m;
        int parts = Math.Min(tiles, 4 * threads);
        pool.Run(parts, (part, worker) =>
        {
            int s = (int)((long)tiles * part / parts) * align, e = Math.Min((int)((long)tiles * (part + 1) / parts) * align, count);
            if (s >= e) return;
            if (byColumns) Dense.PackedProduct(width, a, am, ak, b, bk, bn, bias, c, n, k, 0, m, s, e, relu, scratch[worker].Pointer, sums);
            else Dense.PackedProduct(width, a, am, ak, b, bk, bn, bias, c, n, k, s, e, 0, n, relu, scratch[worker].Pointer, s == 0 ? sums : null);
        });
    }
}

/// <summary>
/// The machine's fp32 FMA peak: a loop of 12 independent multiply-adds on registers (enough to cover the FMA
/// latency times the FMA ports of current x86 cores), on 1 thread or on several at once; best of 5 runs.
/// </summary>
public static class FmaPeak
{
    /// <summary>GFLOP/s of <paramref name="threads"/> threads at once: by the wall clock, and as the sum of each thread's
    /// flops per second of the CPU it got (the machine's peak for that many cores even while others load it).</summary>
    public static (double Wall, double PerCpuSecond) Measure(VectorWidth width, int threads)
    {
        double bestWall = 0, bestCpu = 0;
        for (int run = 0; run < 5; run++)
        {
            const long Iterations = 4_000_000;
            var ready = new Barrier(threads + 1);
            var cpuUs = new double[threads];
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                ready.SignalAndWait();
                double s = ThreadCpuTime.NowUs();
                float sink = width switch
                {
                    VectorWidth.V512 => Loop<Vector512<float>, Isa512>(Iterations),
                    VectorWidth.V256 => Loop<Vector256<float>, Isa256>(Iterations),
                    _ => Loop<Vector128<float>, Isa128>(Iterations),
                };
                cpuUs[t] = ThreadCpuTime.NowUs() - s + (sink == 1234.5f ? 1 : 0);
            })).ToList();
            foreach (var w in workers) w.Start();
            ready.SignalAndWait();
            var sw = Stopwatch.StartNew();
            foreach (var w in workers) w.Join();
            double perThread = 2.0 * 12 * width.Lanes() * Iterations;
            bestWall = Math.Max(bestWall, perThread * threads / sw.Elapsed.TotalSeconds / 1e9);
            bestCpu = Math.Max(bestCpu, cpuUs.Sum(us => perThread / us / 1e3));
        }
        return (bestWall, bestCpu);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    static float Loop<TV, TI>(long iterations) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        TV m = TI.Broadcast(0.999999f), d = TI.Broadcast(1e-7f);
        TV c0 = TI.Zero, c1 = TI.Zero, c2 = TI.Zero, c3 = TI.Zero, c4 = TI.Zero, c5 = TI.Zero;
        TV c6 = TI.Zero, c7 = TI.Zero, c8 = TI.Zero, c9 = TI.Zero, c10 = TI.Zero, c11 = TI.Zero;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TI.MulAdd(c0, m, d); c1 = TI.MulAdd(c1, m, d); c2 = TI.MulAdd(c2, m, d); c3 = TI.MulAdd(c3, m, d);
            c4 = TI.MulAdd(c4, m, d); c5 = TI.MulAdd(c5, m, d); c6 = TI.MulAdd(c6, m, d); c7 = TI.MulAdd(c7, m, d);
            c8 = TI.MulAdd(c8, m, d); c9 = TI.MulAdd(c9, m, d); c10 = TI.MulAdd(c10, m, d); c11 = TI.MulAdd(c11, m, d);
        }
        TV s = TI.Add(TI.Add(TI.Add(c0, c1), TI.Add(c2, c3)), TI.Add(TI.Add(c4, c5), TI.Add(c6, c7)));
        return TI.Sum(TI.Add(s, TI.Add(TI.Add(c8, c9), TI.Add(c10, c11))));
    }
}
