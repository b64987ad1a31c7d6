using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Ilgpu = GpuSiamese.Kernels.Ilgpu;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// Runs the operations of a training step as the ILGPU kernels of <c>GpuSiamese.Kernels.Ilgpu</c> on one
/// accelerator (ILGPU's CPU accelerator, CUDA or OpenCL). Every kernel is compiled once, here, and the
/// delegates are kept. Which kernel variants, work shape and group size run on this accelerator is decided
/// beside the kernels, by <see cref="KernelVariants"/> from the accelerator's <see cref="Traits"/>.
/// Create one with <see cref="IlgpuDevices.Create"/>. Not thread-safe: one caller at a time.
/// </summary>
public sealed class IlgpuBackend : IBackend
{
    readonly Runtime rt;
    readonly bool ownsRuntime;

    /// <summary>A backend on <paramref name="accelerator"/> with the plan its traits give, or <paramref name="plan"/> (tests).</summary>
    internal IlgpuBackend(Context context, Accelerator accelerator, string name, KernelPlan? plan = null)
    {
        rt = new Runtime(context, accelerator, name, plan ?? KernelVariants.For(Traits(accelerator)));
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

    /// <summary>The kernel variants, work shape and group size chosen for this accelerator.</summary>
    public KernelPlan Plan => rt.Plan;

    /// <summary>What <see cref="KernelVariants.For"/> reads from an ILGPU accelerator.</summary>
    public static IlgpuDeviceTraits Traits(Accelerator a)
    {
        var kind = a.Device switch
        {
            ILGPU.Runtime.Cuda.CudaDevice => IlgpuDeviceKind.Cuda,
            ILGPU.Runtime.OpenCL.CLDevice { DeviceType: ILGPU.Runtime.OpenCL.CLDeviceType.CL_DEVICE_TYPE_GPU } => IlgpuDeviceKind.OpenClGpu,
            ILGPU.Runtime.OpenCL.CLDevice => IlgpuDeviceKind.OpenClCpu,
            _ => IlgpuDeviceKind.CpuAccelerator,
        };
        bool shuffles = a.Device is not ILGPU.Runtime.OpenCL.CLDevice cl || cl.Capabilities.SubGroups;
        return new IlgpuDeviceTraits(kind, a.WarpSize, a.MaxNumThreadsPerGroup, a.MaxSharedMemoryPerGroup, a.MaxNumThreads, shuffles);
    }

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
        BackendContract.Upload(dst, src.Length);
        var view = Of(dst).View;
        if (src.Length == 0) return;
        ArrayView1D<T, Stride1D.Dense> target = view.SubView(0, src.Length);
        target.CopyFromCPU(rt.Stream, src);
    }

    public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged
    {
        BackendContract.Download(src, dst.Length);
        var view = Of(src).View;
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
        BackendContract.GatherRows(table, indices, dst, rows, width);
        var work = rt.Plan.Split(rows * width);
        if (work.Units == 0) return;
        rt.K.Gather(work.Threads, Of(table).View, Of(indices).View, Of(dst).View, width, work);
    }

    public void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRowsFromBytes(table, indices, dst, rows, width);
        var work = rt.Plan.Split(rows * width);
        if (work.Units == 0) return;
        rt.K.GatherBytes(work.Threads, Of(table).View, Of(indices).View, Of(dst).View, width, work);
    }

    public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        BackendContract.DenseForward(x, w, b, y, rows, inW, outW);
        int relu = act == Activation.Relu ? 1 : 0;
        ArrayView<float> xv = Of(x).View, wv = Of(w).View;
        var launch = KernelVariants.DenseForward(rt.Plan, rows, inW, outW, Of(x).Offset, Of(w).Offset);
        var s = new DenseShape(rows, inW, outW, relu, rt.Plan.Split(launch.Units));
        if (launch.Units == 0) return;
        switch (launch.Variant)
        {
            case DenseVariant.Rows4Out4: rt.K.ForwardOut4!(s.Work.Threads, xv, wv.Cast<Float4>(), Of(b).View, Of(y).View, s); break;
            case DenseVariant.Tile4x4Vec4: rt.K.ForwardVec4!(s.Work.Threads, xv.Cast<Float4>(), wv.Cast<Float4>(), Of(b).View, Of(y).View, s); break;
            default: rt.K.Forward(s.Work.Threads, xv, wv, Of(b).View, Of(y).View, s); break;
        }
    }

    public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act)
    {
        BackendContract.ActivationBackward(y, dy, n);
        if (act != Activation.Relu || n == 0) return;
        var work = rt.Plan.Split(n);
        rt.K.ReluBackward(work.Threads, Of(y).View, Of(dy).View, work);
    }

    public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardData(dy, w, dx, rows, inW, outW);
        var launch = KernelVariants.DenseBackwardData(rt.Plan, rows, inW);
        var s = new DenseShape(rows, inW, outW, 0, rt.Plan.Split(launch.Units));
        if (launch.Units == 0) return;
        rt.K.BackwardData(s.Work.Threads, Of(dy).View, Of(w).View, Of(dx).View, s);
    }

    public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
        ArrayView<float> xv = Of(x).View, dyv = Of(dy).View;
        var launch = KernelVariants.DenseBackwardWeights(rt.Plan, inW, outW, Of(x).Offset, Of(dy).Offset);
        var s = new DenseShape(rows, inW, outW, 0, rt.Plan.Split(launch.Units));
        if (launch.Units == 0) return;
        switch (launch.Variant)
        {
            case DenseVariant.Rows4Out4: rt.K.BackwardWeightsOut4!(s.Work.Threads, xv, dyv.Cast<Float4>(), Of(dw).View, Of(db).View, s); break;
            case DenseVariant.Tile4x4Vec4: rt.K.BackwardWeightsVec4!(s.Work.Threads, xv.Cast<Float4>(), dyv.Cast<Float4>(), Of(dw).View, Of(db).View, s); break;
            default: rt.K.BackwardWeights(s.Work.Threads, xv, dyv, Of(dw).View, Of(db).View, s); break;
        }
    }

    public void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g);
        var s = new Conv2dShape(g, act == Activation.Relu ? 1 : 0, rt.Plan.Split(g.Images * g.OutSize));
        if (s.Work.Units == 0) return;
        rt.K.ConvForward(s.Work.Threads, Of(x).View, Of(w).View, Of(b).View, Of(y).View, s);
    }

    public void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardData(dy, w, dx, g);
        var s = new Conv2dShape(g, 0, rt.Plan.Split(g.Images * g.InSize));
        if (s.Work.Units == 0) return;
        rt.K.ConvBackwardData(s.Work.Threads, Of(dy).View, Of(w).View, Of(dx).View, s);
    }

    public void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardWeights(x, dy, dw, db, g);
        var s = new Conv2dShape(g, 0, rt.Plan.Split(g.WeightCount + g.OutChannels));
        rt.K.ConvBackwardWeights(s.Work.Threads, Of(x).View, Of(dy).View, Of(dw).View, Of(db).View, s);
    }

    public void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolForward(x, y, winner, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels;
        var s = new PoolShape(images, height, width, channels, rt.Plan.Split(outN));
        if (outN == 0) return;
        rt.K.PoolForward(s.Work.Threads, Of(x).View, Of(y).View, Of(winner).View, s);
    }

    public void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolBackward(dy, winner, dx, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels, inN = images * height * width * channels;
        var s = new PoolShape(images, height, width, channels, rt.Plan.Split(inN));
        if (inN == 0) return;
        rt.K.PoolBackward(s.Work.Threads, Of(dy).View, Of(winner).View, Of(dx).View, s);
    }

    public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceForward(emb, dist, pairs, dim);
        var s = new PairShape(pairs, dim, eps, rt.Plan.Split(pairs));
        if (pairs == 0) return;
        rt.K.DistanceForward(s.Work.Threads, Of(emb).View, Of(dist).View, s);
    }

    public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim);
        var s = new PairShape(pairs, dim, eps, rt.Plan.Split(pairs));
        if (pairs == 0) return;
        rt.K.DistanceBackward(s.Work.Threads, Of(emb).View, Of(dist).View, Of(dDist).View, Of(dEmb).View, s);
    }

    public void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count)
    {
        BackendContract.PairLoss(kind, dist, labels, loss, dDist, count);
        var s = new LossShape(kind == LossKind.ContrastiveBounded ? 0 : 1, parameter, count, rt.Plan.Split(count));
        if (count == 0) return;
        rt.K.Loss(s.Work.Threads, Of(dist).View, Of(labels).View, Of(loss).View, Of(dDist).View, s);
    }

    public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps)
    {
        BackendContract.TripletLoss(emb, loss, dEmb, triplets, dim);
        var s = new TripletShape(triplets, dim, margin, eps, rt.Plan.Split(triplets));
        if (triplets == 0) return;
        rt.K.Triplet(s.Work.Threads, Of(emb).View, Of(loss).View, Of(dEmb).View, s);
    }

    public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step)
    {
        BackendContract.Dropout(x, n, p);
        var a = new DropoutArgs(key, step, DropoutMask.Threshold(p), (float)(1.0 / (1.0 - p)), rt.Plan.Split(n));
        if (n == 0) return;
        rt.K.Dropout(a.Work.Threads, Of(x).View, a);
    }

    public void WeightDecay(DeviceBuffer<float> p, int n, float rate)
    {
        BackendContract.WeightDecay(p, n);
        var a = new DecayArgs(rate, rt.Plan.Split(n));
        if (n == 0) return;
        rt.K.Decay(a.Work.Threads, Of(p).View, a);
    }

    public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        BackendContract.AdamStep(p, g, m, v, n, t);
        // Bias corrections in double on the host, as the reference computes them.
        float c1 = (float)(1 - Math.Pow(beta1, t)), c2 = (float)(1 - Math.Pow(beta2, t));
        var a = new AdamArgs(lr, beta1, beta2, eps, c1, c2, gradScale, rt.Plan.Split(n));
        if (n == 0) return;
        rt.K.Adam(a.Work.Threads, Of(p).View, Of(g).View, Of(m).View, Of(v).View, a);
    }

    public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale)
    {
        BackendContract.RmsPropStep(p, g, s, n);
        var a = new StepArgs(lr, rho, eps, gradScale, 0, rt.Plan.Split(n));
        if (n == 0) return;
        rt.K.RmsProp(a.Work.Threads, Of(p).View, Of(g).View, Of(s).View, a);
    }

    public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        BackendContract.SgdStep(p, g, u, n);
        var a = new StepArgs(lr, momentum, 0f, gradScale, nesterov ? 1 : 0, rt.Plan.Split(n));
        if (n == 0) return;
        rt.K.Sgd(a.Work.Threads, Of(p).View, Of(g).View, Of(u).View, a);
    }

    public float Sum(DeviceBuffer<float> x, int n) => Total(x, n, square: false);

    public float SumOfSquares(DeviceBuffer<float> x, int n) => Total(x, n, square: true);

    float Total(DeviceBuffer<float> x, int n, bool square)
    {
        BackendContract.Reduction(x, n);
        if (n == 0) return 0f;
        int parts = 1;
        if (rt.Plan.Sum == SumMethod.WarpReduce)
            rt.GroupSum!(new KernelConfig(1, rt.Plan.ReduceGroupSize), Of(x).View, rt.Partials.View,
                new GroupSumShape(n, square ? 1 : 0));
        else
        {
            var s = KernelVariants.PartialSums(rt.Plan, n, square);
            parts = s.Work.Units;
            rt.K.PartialSums!(s.Work.Threads, Of(x).View, rt.Partials.View, s);
        }
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

    IlgpuBuffer<T> Of<T>(DeviceBuffer<T> buffer) where T : unmanaged =>
        buffer is IlgpuBuffer<T> b && ReferenceEquals(b.Accelerator, rt.Accelerator)
            ? b
            : throw new ArgumentException($"buffer was not allocated by this backend ({Name})", nameof(buffer));

    /// <summ    /// <summary>The accelerator, its plan and the kernels the plan names, loaded.</summary>
    sealed class Runtime : IDisposable
    {
        public readonly Context Context;
        public readonly Accelerator Accelerator;
        public readonly AcceleratorStream Stream;
        public readonly string Name;
        public readonly KernelPlan Plan;
        /// <summary>The plan's implicitly grouped kernels, loaded (the GroupSum field stays the unloaded method).</summary>
        public readonly KernelSet K;
        /// <summary>The plan's one-launch sum, loaded (null unless the plan sums by warp reduction).</summary>
        public readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, GroupSumShape>? GroupSum;
        public readonly TimeSpan LoadTime;
        public readonly MemoryBuffer1D<float, Stride1D.Dense> Partials;

        public Runtime(Context context, Accelerator accelerator, string name, KernelPlan plan)
        {
            Context = context;
            Accelerator = accelerator;
            Stream = accelerator.DefaultStream;
            Name = name;
            Plan = plan;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var k = KernelVariants.Kernels(plan);
            K = k with
            {
                Gather = Load(k.Gather),
                GatherBytes = Load(k.GatherBytes),
                Forward = Load(k.Forward),
                ForwardVec4 = k.ForwardVec4 == null ? null : Load(k.ForwardVec4),
                ForwardOut4 = k.ForwardOut4 == null ? null : Load(k.ForwardOut4),
                ReluBackward = Load(k.ReluBackward),
                BackwardData = Load(k.BackwardData),
                BackwardWeights = Load(k.BackwardWeights),
                BackwardWeightsVec4 = k.BackwardWeightsVec4 == null ? null : Load(k.BackwardWeightsVec4),
                BackwardWeightsOut4 = k.BackwardWeightsOut4 == null ? null : Load(k.BackwardWeightsOut4),
                DistanceForward = Load(k.DistanceForward),
                DistanceBackward = Load(k.DistanceBackward),
                Loss = Load(k.Loss),
                Triplet = Load(k.Triplet),
                Dropout = Load(k.Dropout),
                Decay = Load(k.Decay),
                Adam = Load(k.Adam),
                RmsProp = Load(k.RmsProp),
                Sgd = Load(k.Sgd),
                PartialSums = k.PartialSums == null ? null : Load(k.PartialSums),
                ConvForward = Load(k.ConvForward),
                ConvBackwardData = Load(k.ConvBackwardData),
                ConvBackwardWeights = Load(k.ConvBackwardWeights),
                PoolForward = Load(k.PoolForward),
                PoolBackward = Load(k.PoolBackward),
            };
            if (k.GroupSum != null) GroupSum = accelerator.LoadStreamKernel(k.GroupSum);
            LoadTime = clock.Elapsed;
            Partials = accelerator.Allocate1D<float>(Math.Max(1, plan.SumParts));
        }

        Action<Index1D, T1, T2> Load<T1, T2>(Action<Index1D, T1, T2> kernel)
            where T1 : struct where T2 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        Action<Index1D, T1, T2, T3> Load<T1, T2, T3>(Action<Index1D, T1, T2, T3> kernel)
            where T1 : struct where T2 : struct where T3 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        Action<Index1D, T1, T2, T3, T4> Load<T1, T2, T3, T4>(Action<Index1D, T1, T2, T3, T4> kernel)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        Action<Index1D, T1, T2, T3, T4, T5> Load<T1, T2, T3, T4, T5>(Action<Index1D, T1, T2, T3, T4, T5> kernel)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public void Dispose()
        {
            Partials.Dispose();
            Accelerator.Dispose();
            Context.Dispose();
        }
    }
}
