using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Ilgpu = GpuSiamese.Kernels.Ilgpu;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// Runs the operations of a training step as the ILGPU kernels of <c>GpuSiamese.Kernels.Ilgpu</c> on one
/// accelerator (ILGPU's CPU accelerator, CUDA or OpenCL). Every kernel is compiled once, here, and the
/// delegates are kept. The work shape is chosen per accelerator type at the same time: on the CPU
/// accelerator one thread per core, each walking a contiguous block of 4x4 register tiles, read four
/// floats per access where widths and slice offsets allow (that simulator pays per view access and per
/// simulated thread; the <c>*Tile4x4*</c> and <c>*Blocked</c> kernels); on GPUs and
/// OpenCL devices one work-item per unit (four rows of one output for the dense passes), neighbouring
/// work-items on neighbouring addresses, no loop over units.
/// Create one with <see cref="IlgpuDevices.Create"/>. Not thread-safe: one caller at a time.
/// </summary>
public sealed class IlgpuBackend : IBackend
{
    /// <summary>GPU partial sums per reduction (each adds ⌈n/1024⌉ interleaved elements).</summary>
    const int GpuParts = 1024;
    /// <summary>CPU-accelerator partial sums per reduction (contiguous blocks, a few per thread).</summary>
    const int CpuParts = 64;

    readonly Runtime rt;
    readonly bool ownsRuntime;

    internal IlgpuBackend(Context context, Accelerator accelerator, string name)
    {
        rt = new Runtime(context, accelerator, name);
        ownsRuntime = true;
    }

    IlgpuBackend(Runtime runtime)
    {
        rt = runtime;
        ownsRuntime = false;
    }

    public string Name => rt.Name;

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    public Accelerator Accelerator => rt.Accelerator;

    /// <summary>Time spent compiling and loading the kernels when the backend was created.</summary>
    public TimeSpan KernelLoadTime => rt.LoadTime;

    /// <summary>
    /// Another handle on the same accelerator and loaded kernels whose <see cref="Dispose"/> releases
    /// nothing (for callers that share one accelerator); it must not be used after this backend is disposed.
    /// </summary>
    public IlgpuBackend Borrow() => new(rt);

    public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var buffer = rt.Accelerator.Allocate1D<T>(length);
        if (length > 0) buffer.View.MemSetToZero(rt.Stream);
        return new IlgpuBuffer<T>(rt.Accelerator, buffer);
    }

    public void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged
    {
        var view = Of(dst).View;
        if (src.Length > view.Length)
            throw new ArgumentException($"upload of {src.Length} elements into a buffer of {view.Length}", nameof(src));
        if (src.Length == 0) return;
        ArrayView1D<T, Stride1D.Dense> target = view.SubView(0, src.Length);
        target.CopyFromCPU(rt.Stream, src);
    }

    public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged
    {
        var view = Of(src).View;
        if (dst.Length > view.Length)
            throw new ArgumentException($"download of {dst.Length} elements from a buffer of {view.Length}", nameof(dst));
        if (dst.Length > 0)
        {
            ArrayView1D<T, Stride1D.Dense> source = view.SubView(0, dst.Length);
            source.CopyToCPU(rt.Stream, dst);
        }
        rt.Stream.Synchronize();
    }

    public void Synchronize() => rt.Stream.Synchronize();

    public void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        Need(indices, rows, nameof(indices));
        Need(dst, rows * width, nameof(dst));
        var work = rt.Split(rows * width);
        if (work.Units == 0) return;
        rt.Gather(work.Threads, Of(table).View, Of(indices).View, Of(dst).View, width, work);
    }

    public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        Need(x, rows * inW, nameof(x)); Need(w, inW * outW, nameof(w)); Need(b, outW, nameof(b)); Need(y, rows * outW, nameof(y));
        int units = rt.IsCpu ? Tiles(rows) * Tiles(outW) : Tiles(rows) * outW;
        var s = new DenseShape(rows, inW, outW, act == Activation.Relu ? 1 : 0, rt.Split(units));
        if (units == 0) return;
        ArrayView<float> xv = Of(x).View, wv = Of(w).View;
        if (rt.ForwardVec4 != null && inW > 0 && Vec4Fits(inW, outW, Of(x), Of(w)))
            rt.ForwardVec4(s.Work.Threads, xv.Cast<Float4>(), wv.Cast<Float4>(), Of(b).View, Of(y).View, s);
        else
            rt.Forward(s.Work.Threads, xv, wv, Of(b).View, Of(y).View, s);
    }

    public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act)
    {
        Need(y, n, nameof(y)); Need(dy, n, nameof(dy));
        if (act != Activation.Relu || n == 0) return;
        var work = rt.Split(n);
        rt.ReluBackward(work.Threads, Of(y).View, Of(dy).View, work);
    }

    public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        Need(dy, rows * outW, nameof(dy)); Need(w, inW * outW, nameof(w)); Need(dx, rows * inW, nameof(dx));
        int units = rt.IsCpu ? Tiles(rows) * Tiles(inW) : Tiles(rows) * inW;
        var s = new DenseShape(rows, inW, outW, 0, rt.Split(units));
        if (units == 0) return;
        rt.BackwardData(s.Work.Threads, Of(dy).View, Of(w).View, Of(dx).View, s);
    }

    public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        Need(x, rows * inW, nameof(x)); Need(dy, rows * outW, nameof(dy)); Need(dw, inW * outW, nameof(dw)); Need(db, outW, nameof(db));
        int units = rt.IsCpu ? Tiles(inW) * Tiles(outW) : Tiles(inW) * outW + outW;
        var s = new DenseShape(rows, inW, outW, 0, rt.Split(units));
        if (units == 0 || inW == 0) return;
        ArrayView<float> xv = Of(x).View, dyv = Of(dy).View;
        if (rt.BackwardWeightsVec4 != null && Vec4Fits(inW, outW, Of(x), Of(dy)))
            rt.BackwardWeightsVec4(s.Work.Threads, xv.Cast<Float4>(), dyv.Cast<Float4>(), Of(dw).View, Of(db).View, s);
        else
            rt.BackwardWeights(s.Work.Threads, xv, dyv, Of(dw).View, Of(db).View, s);
    }

    public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps)
    {
        Need(emb, 2 * pairs * dim, nameof(emb)); Need(dist, pairs, nameof(dist));
        var s = new PairShape(pairs, dim, eps, rt.Split(pairs));
        if (pairs == 0) return;
        rt.DistanceForward(s.Work.Threads, Of(emb).View, Of(dist).View, s);
    }

    public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps)
    {
        Need(emb, 2 * pairs * dim, nameof(emb)); Need(dist, pairs, nameof(dist)); Need(dDist, pairs, nameof(dDist));
        Need(dEmb, 2 * pairs * dim, nameof(dEmb));
        var s = new PairShape(pairs, dim, eps, rt.Split(pairs));
        if (pairs == 0) return;
        rt.DistanceBackward(s.Work.Threads, Of(emb).View, Of(dist).View, Of(dDist).View, Of(dEmb).View, s);
    }

    public void PairLoss(PairLossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count)
    {
        Need(dist, count, nameof(dist)); Need(labels, count, nameof(labels)); Need(loss, count, nameof(loss)); Need(dDist, count, nameof(dDist));
        if (kind is not (PairLossKind.ContrastiveBounded or PairLossKind.ContrastiveMargin))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a pair loss");
        var s = new LossShape(kind == PairLossKind.ContrastiveBounded ? 0 : 1, parameter, count, rt.Split(count));
        if (count == 0) return;
        rt.Loss(s.Work.Threads, Of(dist).View, Of(labels).View, Of(loss).View, Of(dDist).View, s);
    }

    public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps)
    {
        Need(emb, 3 * triplets * dim, nameof(emb)); Need(loss, triplets, nameof(loss)); Need(dEmb, 3 * triplets * dim, nameof(dEmb));
        var s = new TripletShape(triplets, dim, margin, eps, rt.Split(triplets));
        if (triplets == 0) return;
        rt.Triplet(s.Work.Threads, Of(emb).View, Of(loss).View, Of(dEmb).View, s);
    }

    public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step)
    {
        Need(x, n, nameof(x));
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "the drop probability must be in [0, 1)");
        var a = new DropoutArgs(key, step, DropoutMask.Threshold(p), (float)(1.0 / (1.0 - p)), rt.Split(n));
        if (n == 0) return;
        rt.Dropout(a.Work.Threads, Of(x).View, a);
    }

    public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        Need(p, n, nameof(p)); Need(g, n, nameof(g)); Need(m, n, nameof(m)); Need(v, n, nameof(v));
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Adam's step count starts at 1");
        // Bias corrections in double on the host, as the reference computes them.
        float c1 = (float)(1 - Math.Pow(beta1, t)), c2 = (float)(1 - Math.Pow(beta2, t));
        var a = new AdamArgs(lr, beta1, beta2, eps, c1, c2, gradScale, rt.Split(n));
        if (n == 0) return;
        rt.Adam(a.Work.Threads, Of(p).View, Of(g).View, Of(m).View, Of(v).View, a);
    }

    public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale)
    {
        Need(p, n, nameof(p)); Need(g, n, nameof(g)); Need(s, n, nameof(s));
        var a = new StepArgs(lr, rho, eps, gradScale, 0, rt.Split(n));
        if (n == 0) return;
        rt.RmsProp(a.Work.Threads, Of(p).View, Of(g).View, Of(s).View, a);
    }

    public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        Need(p, n, nameof(p)); Need(g, n, nameof(g)); Need(u, n, nameof(u));
        var a = new StepArgs(lr, momentum, 0f, gradScale, nesterov ? 1 : 0, rt.Split(n));
        if (n == 0) return;
        rt.Sgd(a.Work.Threads, Of(p).View, Of(g).View, Of(u).View, a);
    }

    public float Sum(DeviceBuffer<float> x, int n) => PartialSums(x, n, square: false);

    public float SumOfSquares(DeviceBuffer<float> x, int n) => PartialSums(x, n, square: true);

    float PartialSums(DeviceBuffer<float> x, int n, bool square)
    {
        Need(x, n, nameof(x));
        if (n == 0) return 0f;
        int parts = Math.Min(n, rt.IsCpu ? CpuParts : GpuParts);
        int perPart = (n + parts - 1) / parts;
        var s = rt.IsCpu
            ? new PartialSumShape(n, perPart, 1, perPart, square ? 1 : 0, rt.Split(parts))
            : new PartialSumShape(n, 1, parts, perPart, square ? 1 : 0, rt.Split(parts));
        rt.PartialSums(s.Work.Threads, Of(x).View, rt.Partials.View, s);
        Span<float> host = stackalloc float[parts];
        ArrayView1D<float, Stride1D.Dense> partials = rt.Partials.View.SubView(0, parts);
        partials.CopyToCPU(rt.Stream, host);
        rt.Stream.Synchronize();
        double sum = 0;
        foreach (var v in host) sum += v;
        return (float)sum;
    }

    public void Dispose()
    {
        if (ownsRuntime) rt.Dispose();
    }

    static int Tiles(int n) => (n + 3) / 4;

    /// <summary>Both widths multiples of 4 and both views starting on a 4-float boundary of their buffer.</summary>
    static bool Vec4Fits(int inW, int outW, IlgpuBuffer<float> a, IlgpuBuffer<float> b) =>
        inW % 4 == 0 && outW % 4 == 0 && a.Offset % 4 == 0 && b.Offset % 4 == 0;

    IlgpuBuffer<T> Of<T>(DeviceBuffer<T> buffer) where T : unmanaged =>
        buffer is IlgpuBuffer<T> b && ReferenceEquals(b.Accelerator, rt.Accelerator)
            ? b
            : throw new ArgumentException($"buffer was not allocated by this backend ({Name})", nameof(buffer));

    static void Need<T>(DeviceBuffer<T> buffer, int count, string name) where T : unmanaged
    {
        if (count < 0) throw new ArgumentOutOfRangeException(name, count, "negative size");
        if (buffer.Length < count)
            throw new ArgumentException($"{name} holds {buffer.Length} elements, the operation needs {count}", name);
    }

    /// <summary>The accelerator, its loaded kernels and the work shape they are launched with.</summary>
    sealed class Runtime : IDisposable
    {
        public readonly Context Context;
        public readonly Accelerator Accelerator;
        public readonly AcceleratorStream Stream;
        public readonly string Name;
        public readonly bool IsCpu;
        public readonly int MaxThreads;
        public readonly TimeSpan LoadTime;
        public readonly MemoryBuffer1D<float, Stride1D.Dense> Partials;

        public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, WorkSplit> Gather;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape> Forward;
        /// <summary>CPU accelerator only (null elsewhere): the Float4 variants.</summary>
        public readonly Action<Index1D, ArrayView<Float4>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>? ForwardVec4;
        public readonly Action<Index1D, ArrayView<Float4>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>? BackwardWeightsVec4;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, WorkSplit> ReluBackward;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape> BackwardData;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape> BackwardWeights;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, PairShape> DistanceForward;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PairShape> DistanceBackward;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, LossShape> Loss;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TripletShape> Triplet;
        public readonly Action<Index1D, ArrayView<float>, DropoutArgs> Dropout;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs> Adam;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepArgs> RmsProp;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepArgs> Sgd;
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, PartialSumShape> PartialSums;

        public Runtime(Context context, Accelerator accelerator, string name)
        {
            Context = context;
            Accelerator = accelerator;
            Stream = accelerator.DefaultStream;
            Name = name;
            IsCpu = accelerator.AcceleratorType == AcceleratorType.CPU;
            // CPU accelerator: as many simulated threads as it runs at once; elsewhere one per unit.
            MaxThreads = IsCpu ? Math.Max(1, accelerator.MaxNumThreads) : int.MaxValue;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var a = accelerator;
            Gather = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, WorkSplit>(
                IsCpu ? Ilgpu.Gather.RowsBlocked : Ilgpu.Gather.Rows);
            Forward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(
                IsCpu ? Dense.ForwardTile4x4 : Dense.ForwardRows4);
            if (IsCpu)
            {
                ForwardVec4 = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<Float4>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>(
                    Dense.ForwardTile4x4Vec4);
                BackwardWeightsVec4 = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<Float4>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>(
                    Dense.BackwardWeightsTile4x4Vec4);
            }
            ReluBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WorkSplit>(
                IsCpu ? Dense.ReluBackwardBlocked : Dense.ReluBackward);
            BackwardData = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(
                IsCpu ? Dense.BackwardDataTile4x4 : Dense.BackwardDataRows4);
            BackwardWeights = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape>(
                IsCpu ? Dense.BackwardWeightsTile4x4 : Dense.BackwardWeightsRows4);
            DistanceForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PairShape>(
                IsCpu ? PairDistance.ForwardBlocked : PairDistance.Forward);
            DistanceBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PairShape>(
                IsCpu ? PairDistance.BackwardBlocked : PairDistance.Backward);
            Loss = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, LossShape>(
                IsCpu ? ContrastiveLoss.ForwardBackwardBlocked : ContrastiveLoss.ForwardBackward);
            Triplet = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, TripletShape>(
                IsCpu ? Ilgpu.TripletLoss.ForwardBackwardBlocked : Ilgpu.TripletLoss.ForwardBackward);
            Dropout = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, DropoutArgs>(
                IsCpu ? Ilgpu.Dropout.ApplyBlocked : Ilgpu.Dropout.Apply);
            Adam = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs>(
                IsCpu ? Optimizers.AdamBlocked : Optimizers.Adam);
            RmsProp = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepArgs>(
                IsCpu ? Optimizers.RmsPropBlocked : Optimizers.RmsProp);
            Sgd = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepArgs>(
                IsCpu ? Optimizers.SgdBlocked : Optimizers.Sgd);
            PartialSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, PartialSumShape>(
                IsCpu ? Reductions.PartialSumsBlocked : Reductions.PartialSums);
            LoadTime = clock.Elapsed;
            Partials = accelerator.Allocate1D<float>(GpuParts);
        }

        public WorkSplit Split(int units) => IsCpu ? WorkSplit.Over(units, MaxThreads) : new WorkSplit(units, 1);

        public void Dispose()
        {
            Partials.Dispose();
            Accelerator.Dispose();
            Context.Dispose();
        }
    }
}
