using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using GpuSiamese.Model.Backends;
using ILGPU;
using ILGPU.Runtime;
using Ref = GpuSiamese.Kernels.Reference;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// Numbered versions of the ILGPU dense forward and backward-weights kernels on an OpenCL or CUDA device
/// (one work-item per unit), each checked against <see cref="Ref.Dense"/> (|got − ref| ≤ 1e-5 + |ref|·1e-5, scaled by rows/128 for the 1,024-row dW sums)
/// before it is timed, all in one run so that their ratios hold under the machine's load. v1 one output per
/// work-item; v2 four rows (inputs) of one output, the version in src/Kernels/Ilgpu; v3 eight; v4 four rows x
/// four consecutive outputs read as Float4; v5 eight rows x four outputs in Float4 accumulators; v6 (forward) 32x32
/// output tiles per 16x16 group, X and W staged through group-shared memory — also at issue 15's large products. Not on ILGPU's CPU accelerator (a simulator: one OS thread per
/// work-item; its tiled kernels are measured in the Operations table).
/// </summary>
public sealed class IlgpuDenseVersions : IProfileSection
{
    delegate void Launch(Index1D n, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> d, DenseShape s);
    delegate void Launch4(Index1D n, ArrayView<float> a, ArrayView<Float4> b, ArrayView<float> c, ArrayView<float> d, DenseShape s);

    public void Run(IBackend backend, ProfilerOptions options, Report report)
    {
        if (backend is not IlgpuBackend ilgpu || ilgpu.Accelerator.AcceleratorType == AcceleratorType.CPU) return;
        var acc = ilgpu.Accelerator;
        report.Heading("Dense kernels on this device, numbered versions (one run)");
        var fOne = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(IlgpuDenseKernels.ForwardOne);
        var fRows4 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(Dense.ForwardRows4);
        var fRows8 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(IlgpuDenseKernels.ForwardRows8);
        var fOut4 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>(Dense.ForwardRows4Out4);
        var fOut8 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>(IlgpuDenseKernels.ForwardRows8Out4);
        var wOut8 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>(IlgpuDenseKernels.BackwardWeightsRows8Out4);
        var wOne = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(IlgpuDenseKernels.BackwardWeightsOne);
        var wRows4 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(Dense.BackwardWeightsRows4);
        var wRows8 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(IlgpuDenseKernels.BackwardWeightsRows8);
        var wOut4 = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>(Dense.BackwardWeightsRows4Out4);

        var fShared = acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(IlgpuDenseKernels.ForwardSharedTiles);

        var rows = new List<string[]>();
        foreach (var (n, inW, outW) in new[] { (128, Input, Hidden), (1024, Input, Hidden), (128, Hidden, Embedding), (128, 2048, 1024), (1024, 1024, 1024) })
        {
            // The large products of issue 15 (196-2048-1024-64 at 128 rows, 1024x1024x1024) only on the tiled versions: v1–v3 would take minutes there.
            bool large = (long)n * inW * outW > 64L << 20;
            var rng = new Random(n + outW);
            var x = Uniform(rng, n * inW, 0, 1); var w = Weights(rng, inW, outW); var bias = Uniform(rng, outW, -0.1f, 0.1f);
            var dyHost = Uniform(rng, n * outW, -1, 1);
            var expectedY = new double[n * outW];
            Ref.Dense.Forward(D(x), D(w), D(bias), expectedY, n, inW, outW, Activation.Relu);
            var expectedDw = new double[inW * outW]; var expectedDb = new double[outW];
            Ref.Dense.BackwardWeights(D(x), D(dyHost), expectedDw, expectedDb, n, inW, outW);
            using var bx = acc.Allocate1D(x); using var bw = acc.Allocate1D(w); using var bb = acc.Allocate1D(bias);
            using var by = acc.Allocate1D<float>(n * outW); using var bdy = acc.Allocate1D(dyHost);
            using var bdw = acc.Allocate1D<float>(inW * outW); using var bdb = acc.Allocate1D<float>(outW);
            bool out4 = outW % 4 == 0;
            int units4 = (n + 3) / 4;

            var forward = new (string Name, int Units, Action<int>? Run)[]
            {
                ("v1 one output per work-item", n * outW, n > 128 ? null : u => fOne(u, bx.View, bw.View, bb.View, by.View, Shape(n, inW, outW, 1, u))),
                ("v2 4 rows of one output (src before)", units4 * outW, u => fRows4(u, bx.View, bw.View, bb.View, by.View, Shape(n, inW, outW, 1, u))),
                ("v3 8 rows of one output", (n + 7) / 8 * outW, u => fRows8(u, bx.View, bw.View, bb.View, by.View, Shape(n, inW, outW, 1, u))),
                ("v4 4 rows x 4 outputs, W as Float4 (src)", units4 * (outW / 4),
                    out4 ? u => fOut4(u, bx.View, bw.View.AsContiguous().Cast<Float4>(), bb.View, by.View, Shape(n, inW, outW, 1, u)) : null),
                ("v5 8 rows x 4 outputs, Float4 accumulators", (n + 7) / 8 * (outW / 4),
                    out4 ? u => fOut8(u, bx.View, bw.View.AsContiguous().Cast<Float4>(), bb.View, by.View, Shape(n, inW, outW, 1, u)) : null),
                ("v6 32x32 tiles through group-shared memory, 16x16 groups", 0,
                    _ => fShared(new KernelConfig(new Index2D((outW + IlgpuDenseKernels.SharedTile - 1) / IlgpuDenseKernels.SharedTile,
                        (n + IlgpuDenseKernels.SharedTile - 1) / IlgpuDenseKernels.SharedTile), new Index2D(IlgpuDenseKernels.SharedGroupSide, IlgpuDenseKernels.SharedGroupSide)),
                        bx.View, bw.View, bb.View, by.View, Shape(n, inW, outW, 1, 0))),
            };
            if (large) forward = forward.Where(v => v.Name.StartsWith("v4") || v.Name.StartsWith("v6")).ToArray();
            Time($"forward {n}x{inW}→{outW}", forward, () => Check(expectedY, by, 1e-5), () => by.View.MemSetToZero(), 2.0 * n * inW * outW);

            var weights = new (string Name, int Units, Action<int>? Run)[]
            {
                ("v1 one dW element per work-item", inW * outW + outW, n > 128 ? null : u => wOne(u, bx.View, bdy.View, bdw.View, bdb.View, Shape(n, inW, outW, 0, u))),
                ("v2 4 inputs of one output (src before)", (inW + 3) / 4 * outW + outW, u => wRows4(u, bx.View, bdy.View, bdw.View, bdb.View, Shape(n, inW, outW, 0, u))),
                ("v3 8 inputs of one output", (inW + 7) / 8 * outW + outW, u => wRows8(u, bx.View, bdy.View, bdw.View, bdb.View, Shape(n, inW, outW, 0, u))),
                ("v4 4 inputs x 4 outputs, dY as Float4 (src)", (inW + 3) / 4 * (outW / 4),
                    out4 ? u => wOut4(u, bx.View, bdy.View.AsContiguous().Cast<Float4>(), bdw.View, bdb.View, Shape(n, inW, outW, 0, u)) : null),
                ("v5 8 inputs x 4 outputs, Float4 accumulators", (inW + 7) / 8 * (outW / 4),
                    out4 ? u => wOut8(u, bx.View, bdy.View.AsContiguous().Cast<Float4>(), bdw.View, bdb.View, Shape(n, inW, outW, 0, u)) : null),
            };
            if (large) continue; // the backward-weights versions at the large shapes: not yet tried
            Time($"backward weights {n}x{inW}→{outW}", weights, () => Check(expectedDw, bdw, Tolerance(n)) ?? Check(expectedDb, bdb, Tolerance(n)),
                () => { bdw.View.MemSetToZero(); bdb.View.MemSetToZero(); }, 2.0 * n * inW * outW);
        }
        report.Table(["version", "shape", "median µs", "GFLOP/s", "vs first timed", "vs previous", "validated"], rows);
        report.Line("Work-items are launched auto-grouped, one per unit; consecutive work-items take consecutive outputs (dY columns).");

        void Time(string shape, (string Name, int Units, Action<int>? Run)[] versions, Func<string?> check, Action clear, double flops)
        {
            double first = 0, previous = 0;
            foreach (var (name, units, run) in versions)
            {
                if (run == null)
                {
                    rows.Add([name, shape, "-", "-", "-", "-", name.StartsWith("v1") ? "not run at 1,024 rows (a run stalled there for minutes)" : "n/a (width not a multiple of 4)"]);
                    continue;
                }
                Console.Error.Write($"{shape}, {name}: "); // progress on stderr: the large shapes take minutes on PoCL
                clear();
                run(units);
                acc.Synchronize();
                if (check() is { } wrong)
                {
                    rows.Add([name, shape, "-", "-", "-", "-", $"FAILED: {wrong}"]);
                    Console.Error.WriteLine($"FAILED: {wrong}");
                    continue;
                }
                var t = Timing.Measure(() => run(units), options.Quick, acc.Synchronize);
                if (first == 0) first = t.MedianUs;
                string vsPrevious = previous == 0 ? "" : $"{previous / t.MedianUs:F2}x";
                previous = t.MedianUs;
                rows.Add([name, shape, Report.Us(t.MedianUs), Report.Rate(flops / t.MedianUs / 1e3), $"{first / t.MedianUs:F2}x", vsPrevious, "ok"]);
                Console.Error.WriteLine($"{Report.Us(t.MedianUs)} µs, {Report.Rate(flops / t.MedianUs / 1e3)} GFLOP/s");
            }
        }
    }

    static DenseShape Shape(int rows, int inW, int outW, int relu, int units) => new(rows, inW, outW, relu, new WorkSplit(units, 1));

    static double[] D(float[] a) => Array.ConvertAll(a, v => (double)v);

    /// <summary>The parity fixtures' 1e-5 up to 128 summed rows; float rounding of a longer sum grows with its length.</summary>
    static double Tolerance(int summedRows) => 1e-5 * Math.Max(1, summedRows / 128);

    static string? Check(double[] expected, MemoryBuffer1D<float, Stride1D.Dense> buffer, double tolerance)
    {
        var got = buffer.GetAsArray1D();
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(got[i] - expected[i]) <= tolerance + Math.Abs(expected[i]) * tolerance))
                return $"[{i}] {got[i]} vs {expected[i]}";
        return null;
    }
}
