using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Simd;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// The training step's operations on the host's cores (<c>src/Kernels/Simd</c>), synchronously: every call
/// has finished when it returns, so <see cref="Synchronize"/> has nothing to wait for. Work is split over
/// threads only where it pays: a 128-row step is mostly operations of a few µs, which run on the caller.
/// One thread calls it at a time (its scratch space is shared by the calls), as a training loop does.
/// </summary>
public sealed unsafe class SimdBackend : IBackend
{
    /// <summary>Below this many flops (~3 µs on one core) a product runs on the calling thread.</summary>
    public const long ParallelFlops = 1 << 18;

    /// <summary>Below this many elements a cheap element-wise step (ReLU', SGD) runs on the calling thread.</summary>
    public const int ParallelElements = 1 << 16;

    /// <summary>The same for steps with a square root and a division per element (Adam, RMSprop): ~0.3 ns each.</summary>
    public const int ParallelElementsCostly = 1 << 14;

    /// <summary>
    /// Output pixels per block of a convolution pass (<see cref="ConvBlock"/>): 512 rows of a 3x3x32 patch matrix are
    /// 576 KiB, which with the block's dY fits the 1 MiB L2 of a core here; whole-batch products streamed dY from memory
    /// once per four rows of dW (perf/ConvProfile, v2 vs v3).
    /// </summary>
    public const int ConvBlockRows = 512;

    /// <summary>Pieces per thread of a split operation: enough for a late thread's share to be taken over.</summary>
    const int PartsPerThread = 4;

    readonly SimdWorkerPool pool;
    readonly VectorWidth width;
    readonly ScratchSpace transposed = new();
    /// <summary>Per thread (the pool's worker index): a convolution block's patch matrix.</summary>
    readonly ScratchSpace[] workerPatches;
    readonly ScratchSpace partialSums = new();
    /// <summary>Per thread (the pool's worker index): the packed blocks of A and B of a large product.</summary>
    readonly ScratchSpace[] packing;

    /// <param name="threads">Threads to split large operations over; default: the machine's logical cores.</param>
    /// <param name="maxVectorBits">512, 256 or 128: the widest register the kernels may use (narrower widths
    /// are for testing the fall-back paths on a machine that has the wider ones).</param>
    public SimdBackend(int? threads = null, int maxVectorBits = 512)
    {
        if (maxVectorBits is not (512 or 256 or 128))
            throw new ArgumentOutOfRangeException(nameof(maxVectorBits), maxVectorBits, "the vector width must be 512, 256 or 128 bits");
        int n = threads ?? Environment.ProcessorCount;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(threads), n, "the SIMD backend needs at least one thread");
        width = VectorWidths.Widest(maxVectorBits);
        pool = new SimdWorkerPool(n);
        workerPatches = Enumerable.Range(0, n).Select(_ => new ScratchSpace()).ToArray();
        packing = Enumerable.Range(0, n).Select(_ => new ScratchSpace()).ToArray();
        Name = $"simd ({InstructionSet(width)}, {n} thread{(n == 1 ? "" : "s")})";
    }

    public string Name { get; }

    /// <summary>The register width the kernels run with.</summary>
    public VectorWidth Width => width;

    public int Threads => pool.Threads;

    /// <summary>How many times a late worker made the backend run the following operations on one thread for a while.</summary>
    public int SplitStalls => pool.Stalls;

    public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged => new SimdBuffer<T>(length);

    public void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged
    {
        BackendContract.Upload(dst, src.Length);
        src.CopyTo(Own(dst, nameof(dst)).Span);
    }

    public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged
    {
        BackendContract.Download(src, dst.Length);
        Own(src, nameof(src)).Span[..dst.Length].CopyTo(dst);
    }

    public void Synchronize() { }

    public void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRows(table, indices, dst, rows, width);
        var t = Own(table, nameof(table));
        var ix = Own(indices, nameof(indices));
        var d = Own(dst, nameof(dst));
        if (rows == 0 || width == 0) return; // nothing to copy (and no row count to check indices against)
        int tableRows = t.Length / width;
        float* tp = t.Pointer, dp = d.Pointer;
        int* ip = ix.Pointer;
        Split(rows, 1, (long)rows * width * 2, (s, e, _) => SimdKernels.Gather.Rows(tp, tableRows, ip, dp, s, e, width));
    }

    public void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRowsFromBytes(table, indices, dst, rows, width);
        var t = Own(table, nameof(table));
        var ix = Own(indices, nameof(indices));
        var d = Own(dst, nameof(dst));
        if (rows == 0 || width == 0) return;
        int tableRows = t.Length / width;
        byte* tp = t.Pointer;
        float* dp = d.Pointer;
        int* ip = ix.Pointer;
        Split(rows, 1, (long)rows * width * 2, (s, e, _) => SimdKernels.Gather.RowsFromBytes(tp, tableRows, ip, dp, s, e, width));
    }

    public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        BackendContract.DenseForward(x, w, b, y, rows, inW, outW);
        float* xp = Own(x, nameof(x)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* bp = Own(b, nameof(b)).Pointer, yp = Own(y, nameof(y)).Pointer;
        if (SimdKernels.Dense.Packs(rows, outW, inW))
        {
            PackedProduct(xp, inW, 1, wp, outW, 1, bp, yp, rows, outW, inW, act == Activation.Relu, null);
            return;
        }
        var sw = width;
        Split(rows, 4, 2L * rows * inW * outW, (s, e, _) => SimdKernels.Dense.Forward(sw, xp, wp, bp, yp, s, e, inW, outW, act));
    }

    public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act)
    {
        BackendContract.ActivationBackward(y, dy, n);
        float* yp = Own(y, nameof(y)).Pointer, dp = Own(dy, nameof(dy)).Pointer;
        var sw = width;
        SplitElements(n, (s, e) => SimdKernels.Dense.ActivationBackward(sw, yp, dp, s, e, act));
    }

    public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardData(dy, w, dx, rows, inW, outW);
        float* dyp = Own(dy, nameof(dy)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* dxp = Own(dx, nameof(dx)).Pointer;
        if (SimdKernels.Dense.Packs(rows, inW, outW))
        {
            // B = Wᵀ read through W's strides: packing transposes it panel by panel.
            PackedProduct(dyp, outW, 1, wp, 1, outW, null, dxp, rows, inW, outW, false, null);
            return;
        }
        // dX = dY·Wᵀ runs through the forward tile on Wᵀ, transposed once per call on this thread.
        float* wT = transposed.Get(inW * outW);
        SimdKernels.Dense.Transpose(wp, wT, inW, outW);
        var sw = width;
        Split(rows, 4, 2L * rows * inW * outW, (s, e, _) => SimdKernels.Dense.BackwardData(sw, dyp, wT, dxp, s, e, inW, outW));
    }

    public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
        float* xp = Own(x, nameof(x)).Pointer, dyp = Own(dy, nameof(dy)).Pointer;
        float* dwp = Own(dw, nameof(dw)).Pointer, dbp = Own(db, nameof(db)).Pointer;
        if (SimdKernels.Dense.Packs(inW, outW, rows, transposedA: true))
        {
            // dW = Xᵀ·dY with A = Xᵀ read through X's strides; db summed from dY while it is packed.
            PackedProduct(xp, 1, inW, dyp, outW, 1, null, dwp, inW, outW, rows, false, dbp);
            return;
        }
        var sw = width;
        // Threads split the rows of dW (the inputs); whoever takes the first piece also sums db.
        Split(inW, 4, 2L * rows * inW * outW, (s, e, _) =>
        {
            SimdKernels.Dense.BackwardWeights(sw, xp, dyp, dwp, s, e, rows, inW, outW);
            if (s == 0) SimdKernels.Dense.BiasGradient(sw, dyp, dbp, rows, outW);
        });
    }

    /// <summary>
    /// Y = act(b + P·W) with P the patch matrix of <see cref="SimdKernels.Conv2d.Im2Col"/> (for k = 1, P is X itself),
    /// a block of images at a time (<see cref="ConvBlock"/>): each block's patches are made and multiplied by
    /// <see cref="SimdKernels.Dense.Forward"/> while they are in the cache, the blocks spread over the threads.
    /// </summary>
    public void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g);
        if (SimdKernels.Conv2d.Direct(g)) Conv2dForwardDirect(x, w, b, y, g, act);
        else Conv2dForwardLowered(x, w, b, y, g, act);
    }

    /// <summary>
    /// Y = act(b + conv(X, W)) by <see cref="SimdKernels.Conv2d.DirectForward"/> (what <see cref="Conv2dForward"/> takes
    /// for patches of at most <see cref="SimdKernels.Conv2d.DirectPatchLimit"/> floats), a block of images per part.
    /// </summary>
    public void Conv2dForwardDirect(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g);
        float* xp = Own(x, nameof(x)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* bp = Own(b, nameof(b)).Pointer, yp = Own(y, nameof(y)).Pointer;
        var sw = width;
        SplitBlocks(g, ConvBlock(g), (first, count, worker) =>
            SimdKernels.Conv2d.DirectForward(sw, xp, wp, bp, yp, WorkerPatches(worker, SimdKernels.Conv2d.DirectScratch(g)), first, first + count, g, act));
    }

    /// <summary>Y = act(b + P·W) through the patch matrix P (the path for larger patches; see below).</summary>
    public void Conv2dForwardLowered(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g);
        float* xp = Own(x, nameof(x)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* bp = Own(b, nameof(b)).Pointer, yp = Own(y, nameof(y)).Pointer;
        var sw = width;
        int block = ConvBlock(g), pixels = g.OutHeight * g.OutWidth, patch = g.PatchSize;
        SplitBlocks(g, block, (first, count, worker) =>
        {
            float* p = xp + (long)first * g.InSize;
            if (g.Kernel > 1)
            {
                float* scratch = WorkerPatches(worker, count * pixels * patch);
                SimdKernels.Conv2d.Im2Col(p, scratch, 0, count, g);
                p = scratch;
            }
            SimdKernels.Dense.Forward(sw, p, wp, bp, yp + (long)first * g.OutSize, 0, count * pixels, patch, g.OutChannels, act);
        });
    }

    /// <summary>
    /// dP = dY·Wᵀ (<see cref="SimdKernels.Dense.BackwardData"/>), then <see cref="SimdKernels.Conv2d.Col2Im"/> adds dP back
    /// onto dX; a block of images at a time, the blocks spread over the threads.
    /// </summary>
    public void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardData(dy, w, dx, g);
        if (SimdKernels.Conv2d.Direct(g)) Conv2dBackwardDataDirect(dy, w, dx, g);
        else Conv2dBackwardDataLowered(dy, w, dx, g);
    }

    /// <summary>dX by <see cref="SimdKernels.Conv2d.DirectBackwardData"/> (small patches), a block of images per part.</summary>
    public void Conv2dBackwardDataDirect(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardData(dy, w, dx, g);
        float* dyp = Own(dy, nameof(dy)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* dxp = Own(dx, nameof(dx)).Pointer;
        var sw = width;
        SplitBlocks(g, ConvBlock(g), (first, count, worker) =>
            SimdKernels.Conv2d.DirectBackwardData(sw, dyp, wp, dxp, WorkerPatches(worker, SimdKernels.Conv2d.DirectScratch(g)), first, first + count, g));
    }

    /// <summary>dX through dP = dY·Wᵀ and <see cref="SimdKernels.Conv2d.Col2Im"/> (the path for larger patches; see below).</summary>
    public void Conv2dBackwardDataLowered(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardData(dy, w, dx, g);
        float* dyp = Own(dy, nameof(dy)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* dxp = Own(dx, nameof(dx)).Pointer;
        float* wT = transposed.Get(g.WeightCount);
        SimdKernels.Dense.Transpose(wp, wT, g.PatchSize, g.OutChannels);
        var sw = width;
        int block = ConvBlock(g), pixels = g.OutHeight * g.OutWidth, patch = g.PatchSize;
        SplitBlocks(g, block, (first, count, worker) =>
        {
            float* d = dyp + (long)first * g.OutSize, target = dxp + (long)first * g.InSize;
            if (g.Kernel == 1)
            {
                SimdKernels.Dense.BackwardData(sw, d, wT, target, 0, count * pixels, patch, g.OutChannels);
                return;
            }
            float* scratch = WorkerPatches(worker, count * pixels * patch);
            SimdKernels.Dense.BackwardData(sw, d, wT, scratch, 0, count * pixels, patch, g.OutChannels);
            SimdKernels.Conv2d.Col2Im(sw, scratch, target, 0, count, g);
        });
    }

    /// <summary>
    /// dW = Pᵀ·dY and db = Σ dY, summed over blocks of images: each block's patches are made and multiplied
    /// (<see cref="SimdKernels.Dense.BackwardWeights"/>) while they and the block's dY are in the cache, into a partial
    /// sum of its own; the partial sums are then added in block order, so the result does not depend on which
    /// thread took which block.
    /// </summary>
    public void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g) => Conv2dBackwardWeights(x, dy, dw, db, g, SimdKernels.Conv2d.Direct(g));

    /// <summary>
    /// dW and db, each block's partial sums made by <see cref="SimdKernels.Conv2d.DirectBackwardWeights"/> when
    /// <paramref name="direct"/> (small patches) or through the patch matrix, then added in block order as below.
    /// </summary>
    public void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g, bool direct)
    {
        BackendContract.Conv2dBackwardWeights(x, dy, dw, db, g);
        float* xp = Own(x, nameof(x)).Pointer, dyp = Own(dy, nameof(dy)).Pointer;
        float* dwp = Own(dw, nameof(dw)).Pointer, dbp = Own(db, nameof(db)).Pointer;
        var sw = width;
        int block = ConvBlock(g), pixels = g.OutHeight * g.OutWidth, patch = g.PatchSize;
        int blocks = Math.Max(1, (g.Images + block - 1) / block), stride = g.WeightCount + g.OutChannels;
        float* partials = partialSums.Get(blocks * stride);
        SplitBlocks(g, block, (first, count, worker) =>
        {
            float* p = xp + (long)first * g.InSize, d = dyp + (long)first * g.OutSize, sum = partials + (long)(first / block) * stride;
            if (direct)
            {
                SimdKernels.Conv2d.DirectBackwardWeights(sw, xp, dyp, sum, WorkerPatches(worker, count * SimdKernels.Conv2d.DirectScratch(g)),
                    first, first + count, g);
                SimdKernels.Dense.BiasGradient(sw, d, sum + g.WeightCount, count * pixels, g.OutChannels);
                return;
            }
            if (g.Kernel > 1)
            {
                float* scratch = WorkerPatches(worker, count * pixels * patch);
                SimdKernels.Conv2d.Im2Col(p, scratch, 0, count, g);
                p = scratch;
            }
            SimdKernels.Dense.BackwardWeights(sw, p, d, sum, 0, patch, count * pixels, patch, g.OutChannels);
            SimdKernels.Dense.BiasGradient(sw, d, sum + g.WeightCount, count * pixels, g.OutChannels);
        });
        if (g.Images == 0)
        {
            new Span<float>(dwp, g.WeightCount).Clear();
            new Span<float>(dbp, g.OutChannels).Clear();
            return;
        }
        SimdKernels.Conv2d.SumBlocks(sw, partials, blocks, stride, dwp, 0, g.WeightCount);
        SimdKernels.Conv2d.SumBlocks(sw, partials, blocks, stride, dbp, g.WeightCount, g.OutChannels);
    }

    public void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolForward(x, y, winner, images, height, width, channels);
        long outN = (long)images * (height / 2) * (width / 2) * channels;
        float* xp = Own(x, nameof(x)).Pointer, yp = Own(y, nameof(y)).Pointer;
        int* wp = Own(winner, nameof(winner)).Pointer;
        Split(images, 1, 4 * outN, (s, e, _) => SimdKernels.MaxPool.Forward(xp, yp, wp, s, e, height, width, channels));
    }

    public void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolBackward(dy, winner, dx, images, height, width, channels);
        long outN = (long)images * (height / 2) * (width / 2) * channels, inN = (long)images * height * width * channels;
        float* dyp = Own(dy, nameof(dy)).Pointer, dxp = Own(dx, nameof(dx)).Pointer;
        int* wp = Own(winner, nameof(winner)).Pointer;
        Split(images, 1, 2 * inN, (s, e, _) => SimdKernels.MaxPool.Backward(dyp, wp, dxp, s, e, height, width, channels));
    }

    /// <summary>
    /// Images per block of a convolution pass: about <see cref="ConvBlockRows"/> output pixels, so that a block's patch
    /// matrix and its rows of dY stay in a core's L2 cache while the product runs over them.
    /// </summary>
    static int ConvBlock(Conv2dGeometry g) => Math.Clamp(ConvBlockRows / Math.Max(1, g.OutHeight * g.OutWidth), 1, Math.Max(1, g.Images));

    /// <summary>Runs body(first image, image count, worker) over the blocks of <paramref name="block"/> images.</summary>
    void SplitBlocks(Conv2dGeometry g, int block, Action<int, int, int> body)
    {
        int blocks = (g.Images + block - 1) / block;
        if (blocks == 0) return;
        Split(blocks, 1, 2 * g.MultiplyAdds, (s, e, worker) =>
        {
            for (int k = s; k < e; k++)
            {
                int first = k * block;
                body(first, Math.Min(block, g.Images - first), worker);
            }
        });
    }

    /// <summary>A worker's own patch scratch space of at least <paramref name="length"/> floats.</summary>
    float* WorkerPatches(int worker, int length) => workerPatches[worker].Get(length);

    public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceForward(emb, dist, pairs, dim);
        float* ep = Own(emb, nameof(emb)).Pointer, dp = Own(dist, nameof(dist)).Pointer;
        var sw = width;
        Split(pairs, 1, 3L * pairs * dim, (s, e, _) => SimdKernels.PairDistance.Forward(sw, ep, dp, s, e, pairs, dim, eps));
    }

    public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim);
        float* ep = Own(emb, nameof(emb)).Pointer, dp = Own(dist, nameof(dist)).Pointer;
        float* ddp = Own(dDist, nameof(dDist)).Pointer, gp = Own(dEmb, nameof(dEmb)).Pointer;
        var sw = width;
        Split(pairs, 1, 5L * pairs * dim, (s, e, _) => SimdKernels.PairDistance.Backward(sw, ep, dp, ddp, gp, s, e, pairs, dim, eps));
    }

    public void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count)
    {
        BackendContract.PairLoss(kind, dist, labels, loss, dDist, count);
        var d = Own(dist, nameof(dist)).Span;
        var l = Own(labels, nameof(labels)).Span;
        var lo = Own(loss, nameof(loss)).Span;
        var g = Own(dDist, nameof(dDist)).Span;
        switch (kind)
        {
            case LossKind.ContrastiveBounded: SimdKernels.ContrastiveLoss.Bounded(d, l, lo, g, 0, count, count, parameter); break;
            case LossKind.ContrastiveMargin: SimdKernels.ContrastiveLoss.Margin(d, l, lo, g, 0, count, count, parameter); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown pair loss");
        }
    }

    public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps)
    {
        BackendContract.TripletLoss(emb, loss, dEmb, triplets, dim);
        float* ep = Own(emb, nameof(emb)).Pointer, lp = Own(loss, nameof(loss)).Pointer;
        float* gp = Own(dEmb, nameof(dEmb)).Pointer;
        var sw = width;
        Split(triplets, 1, 9L * triplets * dim, (s, e, _) => SimdKernels.TripletLoss.ForwardBackward(sw, ep, lp, gp, s, e, triplets, dim, margin, eps));
    }

    public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step)
    {
        BackendContract.Dropout(x, n, p);
        float* xp = Own(x, nameof(x)).Pointer;
        uint threshold = DropoutMask.Threshold(p);
        float scale = (float)(1.0 / (1.0 - p));
        // A 128-row step's hidden layer (25,600 elements) stays on this thread: handing it to the pool cost more than the hash.
        SplitElements(n, (s, e) => SimdKernels.Dropout.Apply(xp, s, e, key, step, threshold, scale));
    }

    public void WeightDecay(DeviceBuffer<float> p, int n, float rate)
    {
        BackendContract.WeightDecay(p, n);
        float* pp = Own(p, nameof(p)).Pointer;
        SplitElements(n, (s, e) => SimdKernels.WeightDecay.Apply(pp, s, e, rate));
    }

    public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        BackendContract.AdamStep(p, g, m, v, n, t);
        float* pp = Own(p, nameof(p)).Pointer, gp = Own(g, nameof(g)).Pointer;
        float* mp = Own(m, nameof(m)).Pointer, vp = Own(v, nameof(v)).Pointer;
        var sw = width;
        SplitElements(n, (s, e) => SimdKernels.Optimizers.Adam(sw, pp, gp, mp, vp, s, e, lr, beta1, beta2, eps, t, gradScale), ParallelElementsCostly);
    }

    public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale)
    {
        BackendContract.RmsPropStep(p, g, s, n);
        float* pp = Own(p, nameof(p)).Pointer, gp = Own(g, nameof(g)).Pointer, sp = Own(s, nameof(s)).Pointer;
        var sw = width;
        SplitElements(n, (a, e) => SimdKernels.Optimizers.RmsProp(sw, pp, gp, sp, a, e, lr, rho, eps, gradScale), ParallelElementsCostly);
    }

    public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        BackendContract.SgdStep(p, g, u, n);
        float* pp = Own(p, nameof(p)).Pointer, gp = Own(g, nameof(g)).Pointer, up = Own(u, nameof(u)).Pointer;
        var sw = width;
        SplitElements(n, (s, e) => SimdKernels.Optimizers.Sgd(sw, pp, gp, up, s, e, lr, momentum, nesterov, gradScale));
    }

    public float Sum(DeviceBuffer<float> x, int n)
    {
        BackendContract.Reduction(x, n);
        return SimdKernels.Reductions.Sum(width, Own(x, nameof(x)).Pointer, n);
    }

    public float SumOfSquares(DeviceBuffer<float> x, int n)
    {
        BackendContract.Reduction(x, n);
        return SimdKernels.Reductions.SumOfSquares(width, Own(x, nameof(x)).Pointer, n);
    }

    public void Dispose()
    {
        pool.Dispose();
        transposed.Dispose();
        partialSums.Dispose();
        foreach (var p in workerPatches) p.Dispose();
        foreach (var p in packing) p.Dispose();
    }

    /// <summary>
    /// C [m, n] (row-major, ldc = n) = act(bias + A·B) through <see cref="SimdKernels.Dense.PackedProduct"/>, split
    /// over the threads by blocks of columns (each part packs only its own columns of B), or by blocks of rows
    /// when there are too few columns for every thread (each part then packs all of B, a small matrix there).
    /// columnSums, if not null, receives Σ_p B[p, j] from the parts that pack row 0's columns.
    /// </summary>
    void PackedProduct(float* a, long am, long ak, float* b, long bk, long bn, float* bias, float* c, int m, int n, int k,
        bool relu, float* columnSums)
    {
        var sw = width;
        int threads = pool.Threads, nr = SimdKernels.Dense.PackedColumnsPerTile(sw), mr = SimdKernels.Dense.PackedRows;
        int panels = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr;
        bool byColumns = panels >= 2 * threads || panels >= rowTiles;
        int tiles = byColumns ? panels : rowTiles, align = byColumns ? nr : mr, count = byColumns ? n : m;
        int parts = threads == 1 || 2L * m * n * k < ParallelFlops ? 1 : Math.Min(tiles, PartsPerThread * threads);
        pool.Run(parts, (part, worker) =>
        {
            int s = (int)((long)tiles * part / parts) * align, e = Math.Min((int)((long)tiles * (part + 1) / parts) * align, count);
            if (s >= e) return;
            float* scratch = packing[worker].Get(SimdKernels.Dense.PackedScratchFloats);
            if (byColumns) SimdKernels.Dense.PackedProduct(sw, a, am, ak, b, bk, bn, bias, c, n, k, 0, m, s, e, relu, scratch, columnSums);
            else SimdKernels.Dense.PackedProduct(sw, a, am, ak, b, bk, bn, bias, c, n, k, s, e, 0, n, relu, scratch, s == 0 ? columnSums : null);
        });
    }

    /// <summary>
    /// Runs body(start, end, worker) over [0, count): in one piece on this thread when the work is small,
    /// else in pieces a multiple of <paramref name="align"/> long (the kernels' row tile), a few per thread
    /// so that whichever thread is free takes the next.
    /// </summary>
    void Split(int count, int align, long work, Action<int, int, int> body)
    {
        int threads = pool.Threads;
        int tiles = (count + align - 1) / align;
        int parts = Math.Min(tiles, PartsPerThread * threads);
        if (threads == 1 || work < ParallelFlops || parts < 2)
        {
            body(0, count, 0);
            return;
        }
        pool.Run(parts, (part, worker) =>
        {
            int s = (int)((long)tiles * part / parts) * align, e = Math.Min((int)((long)tiles * (part + 1) / parts) * align, count);
            if (s < e) body(s, e, worker);
        });
    }

    void SplitElements(int n, Action<int, int> body, int minimum = ParallelElements)
    {
        // Multiples of 64 floats: every piece starts on a cache line and on a register boundary.
        if (n < minimum) body(0, n);
        else Split(n, 64, long.MaxValue, (s, e, _) => body(s, e));
    }

    static SimdBuffer<T> Own<T>(DeviceBuffer<T> buffer, string name) where T : unmanaged =>
        buffer as SimdBuffer<T> ?? throw new ArgumentException($"{name} was allocated by another backend ({buffer.GetType().Name}), not by the SIMD backend", name);

    static string InstructionSet(VectorWidth w) => w switch
    {
        VectorWidth.V512 => Avx512F.IsSupported ? "AVX-512" : "Vector512",
        VectorWidth.V256 => Avx2.IsSupported ? "AVX2" : "Vector256",
        _ when Sse2.IsSupported => "SSE",
        _ when AdvSimd.IsSupported => "NEON",
        _ => "Vector128, not accelerated",
    };

    /// <summary>A growable native float block: the transposed weights of a backward-data call, a convolution's patches, a thread's packed panels.</summary>
    sealed class ScratchSpace : IDisposable
    {
        SimdBuffer<float>? buffer;

        public float* Get(int length) => Buffer(length).Pointer;

        public SimdBuffer<float> Buffer(int length)
        {
            if (buffer == null || buffer.Length < length)
            {
                buffer?.Dispose();
                buffer = new SimdBuffer<float>(Math.Max(length, 1024));
            }
            return buffer;
        }

        public void Dispose() => buffer?.Dispose();
    }
}
