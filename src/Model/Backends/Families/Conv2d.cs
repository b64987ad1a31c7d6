using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// The k×k convolution over channels-last images: forward, dX and dW/db: the family's operations of IBackend, their
// checks in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/Conv2d.cs; the reference backend's part: tests/Model/Backends/Families/Conv2d.cs).

public partial interface IBackend
{
    /// <summary>
    /// Reference: <see cref="Kernels.Reference.Conv2d.Forward"/>. Channels last (<see cref="Conv2dGeometry"/>):
    /// x [images, h, w, inC], w [k, k, inC, outC], b [outC], y [images, oh, ow, outC]; ReLU's derivative is then
    /// <see cref="ActivationBackward"/> on y, as for a dense layer.
    /// </summary>
    void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act);

    /// <summary>Reference: <see cref="Kernels.Reference.Conv2d.BackwardData"/> (dx overwritten).</summary>
    void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g);

    /// <summary>Reference: <see cref="Kernels.Reference.Conv2d.BackwardWeights"/> (dw and db overwritten).</summary>
    void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g);
}

public static partial class BackendContract
{
    public static void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y, Conv2dGeometry g,
        Activation act)
    {
        Fused(act);
        Holds(x, (long)g.Images * g.InSize, nameof(x)); Holds(w, g.WeightCount, nameof(w)); Holds(b, g.OutChannels, nameof(b));
        Holds(y, (long)g.Images * g.OutSize, nameof(y));
        Apart(y, (long)g.Images * g.OutSize, nameof(y), (x, (long)g.Images * g.InSize, nameof(x)), (w, g.WeightCount, nameof(w)), (b, g.OutChannels, nameof(b)));
    }

    public static void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        Holds(dy, (long)g.Images * g.OutSize, nameof(dy)); Holds(w, g.WeightCount, nameof(w)); Holds(dx, (long)g.Images * g.InSize, nameof(dx));
        Apart(dx, (long)g.Images * g.InSize, nameof(dx), (dy, (long)g.Images * g.OutSize, nameof(dy)), (w, g.WeightCount, nameof(w)));
    }

    public static void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db, Conv2dGeometry g)
    {
        Holds(x, (long)g.Images * g.InSize, nameof(x)); Holds(dy, (long)g.Images * g.OutSize, nameof(dy));
        Holds(dw, g.WeightCount, nameof(dw)); Holds(db, g.OutChannels, nameof(db));
        Apart(dw, g.WeightCount, nameof(dw), (x, (long)g.Images * g.InSize, nameof(x)), (dy, (long)g.Images * g.OutSize, nameof(dy)), (db, g.OutChannels, nameof(db)));
        Apart(db, g.OutChannels, nameof(db), (x, (long)g.Images * g.InSize, nameof(x)), (dy, (long)g.Images * g.OutSize, nameof(dy)));
    }
}

public sealed unsafe partial class SimdBackend
{
    /// <summary>
    /// Y = act(b + P·W) with P the patch matrix of <see cref="SimdKernels.Conv2d.Im2Col"/> (for k = 1, P is X itself),
    /// a block of images at a time (<see cref="ConvBlock"/>): each block's patches are made and multiplied by
    /// <see cref="SimdKernels.Dense.Forward"/> while they are in the cache, the blocks spread over the threads.
    /// </summary>
    public void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g, act);
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
        BackendContract.Conv2dForward(x, w, b, y, g, act);
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
        BackendContract.Conv2dForward(x, w, b, y, g, act);
        float* xp = Own(x, nameof(x)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* bp = Own(b, nameof(b)).Pointer, yp = Own(y, nameof(y)).Pointer;
        var sw = width;
        int block = ConvBlock(g), pixels = g.OutHeight * g.OutWidth, patch = g.PatchSize;
        SplitBlocks(g, block, (first, count, worker) =>
        {
            float* p = xp + (long)first * g.InSize;
            if (SimdKernels.Conv2d.NeedsPatches(g))
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
            if (!SimdKernels.Conv2d.NeedsPatches(g))
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
            if (SimdKernels.Conv2d.NeedsPatches(g))
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
}

public sealed partial class IlgpuBackend
{
    public void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g, act);
        var s = new Conv2dShape(g, act == Activation.Relu ? 1 : 0, rt.Plan.Split(g.Images * g.OutSize));
        if (s.Work.Units == 0) return;
        K<Conv2dKernels>().Forward(s.Work.Threads, Of(x).View, Of(w).View, Of(b).View, Of(y).View, s);
    }

    public void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardData(dy, w, dx, g);
        var s = new Conv2dShape(g, 0, rt.Plan.Split(g.Images * g.InSize));
        if (s.Work.Units == 0) return;
        K<Conv2dKernels>().BackwardData(s.Work.Threads, Of(dy).View, Of(w).View, Of(dx).View, s);
    }

    public void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardWeights(x, dy, dw, db, g);
        var s = new Conv2dShape(g, 0, rt.Plan.Split(g.WeightCount + g.OutChannels));
        K<Conv2dKernels>().BackwardWeights(s.Work.Threads, Of(x).View, Of(dy).View, Of(dw).View, Of(db).View, s);
    }
}
