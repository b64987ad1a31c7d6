using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Max-pooling over channels-last images: forward with the winners, backward routed to them: the family's operations of
// IBackend, their checks in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/MaxPool.cs; the reference backend's part: tests/Model/Backends/Families/MaxPool.cs).

public partial interface IBackend
{
    /// <summary>
    /// Reference: <see cref="Kernels.Reference.MaxPool.Forward"/>: 2×2 stride 2 over x [images, height, width, channels]
    /// into y [images, height/2, width/2, channels], the winner of each window (0..3) into winner, same shape as y.
    /// </summary>
    void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner,
        int images, int height, int width, int channels);

    /// <summary>Reference: <see cref="Kernels.Reference.MaxPool.Backward"/> (dx overwritten, zero where no window won).</summary>
    void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx,
        int images, int height, int width, int channels);

    /// <summary>
    /// Reference: <see cref="Kernels.Reference.MaxPool.WindowForward"/>: the k×k / s / p pool of <paramref name="g"/> over
    /// x [images, h, w, c] into y, the winner of each window (its offset i·k + j) into winner, same shape as y.
    /// </summary>
    void MaxPoolWindowForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, PoolGeometry g);

    /// <summary>Reference: <see cref="Kernels.Reference.MaxPool.WindowBackward"/> (dx overwritten; overlapping windows add up).</summary>
    void MaxPoolWindowBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, PoolGeometry g);
}

public static partial class BackendContract
{
    public static void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, int images, int height, int width, int channels)
    {
        Sizes((images, nameof(images)), (height, nameof(height)), (width, nameof(width)), (channels, nameof(channels)));
        long outN = (long)images * (height / 2) * (width / 2) * channels;
        Holds(x, (long)images * height * width * channels, nameof(x)); Holds(y, outN, nameof(y)); Holds(winner, outN, nameof(winner));
        Apart(y, outN, nameof(y), (x, (long)images * height * width * channels, nameof(x)));
    }

    public static void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, int images, int height, int width, int channels)
    {
        Sizes((images, nameof(images)), (height, nameof(height)), (width, nameof(width)), (channels, nameof(channels)));
        long outN = (long)images * (height / 2) * (width / 2) * channels;
        Holds(dy, outN, nameof(dy)); Holds(winner, outN, nameof(winner)); Holds(dx, (long)images * height * width * channels, nameof(dx));
        Apart(dx, (long)images * height * width * channels, nameof(dx), (dy, outN, nameof(dy)));
    }

    public static void MaxPoolWindowForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, PoolGeometry g)
    {
        long inN = (long)g.Images * g.InSize, outN = (long)g.Images * g.OutSize;
        Holds(x, inN, nameof(x)); Holds(y, outN, nameof(y)); Holds(winner, outN, nameof(winner));
        Apart(y, outN, nameof(y), (x, inN, nameof(x)));
    }

    public static void MaxPoolWindowBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, PoolGeometry g)
    {
        long inN = (long)g.Images * g.InSize, outN = (long)g.Images * g.OutSize;
        Holds(dy, outN, nameof(dy)); Holds(winner, outN, nameof(winner)); Holds(dx, inN, nameof(dx));
        Apart(dx, inN, nameof(dx), (dy, outN, nameof(dy)));
    }
}

public sealed unsafe partial class SimdBackend
{
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

    public void MaxPoolWindowForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, PoolGeometry g)
    {
        BackendContract.MaxPoolWindowForward(x, y, winner, g);
        float* xp = Own(x, nameof(x)).Pointer, yp = Own(y, nameof(y)).Pointer;
        int* wp = Own(winner, nameof(winner)).Pointer;
        Split(g.Images, 1, (long)g.Images * g.OutSize * g.Kernel * g.Kernel, (s, e, _) => SimdKernels.MaxPool.WindowForward(xp, yp, wp, s, e, g));
    }

    public void MaxPoolWindowBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, PoolGeometry g)
    {
        BackendContract.MaxPoolWindowBackward(dy, winner, dx, g);
        float* dyp = Own(dy, nameof(dy)).Pointer, dxp = Own(dx, nameof(dx)).Pointer;
        int* wp = Own(winner, nameof(winner)).Pointer;
        Split(g.Images, 1, 4L * g.Images * g.InSize, (s, e, _) => SimdKernels.MaxPool.WindowBackward(dyp, wp, dxp, s, e, g));
    }
}

public sealed partial class IlgpuBackend
{
    public void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolForward(x, y, winner, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels;
        var s = new PoolShape(images, height, width, channels, rt.Plan.Split(outN));
        if (outN == 0) return;
        K<MaxPoolKernels>().Forward(s.Work.Threads, Of(x).View, Of(y).View, Of(winner).View, s);
    }

    public void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolBackward(dy, winner, dx, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels, inN = images * height * width * channels;
        var s = new PoolShape(images, height, width, channels, rt.Plan.Split(inN));
        if (inN == 0) return;
        K<MaxPoolKernels>().Backward(s.Work.Threads, Of(dy).View, Of(winner).View, Of(dx).View, s);
    }

    public void MaxPoolWindowForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, PoolGeometry g)
    {
        BackendContract.MaxPoolWindowForward(x, y, winner, g);
        var s = new WindowShape(g, rt.Plan.Split(g.Images * g.OutSize));
        if (s.Work.Units == 0) return;
        K<MaxPoolKernels>().WindowForward(s.Work.Threads, Of(x).View, Of(y).View, Of(winner).View, s);
    }

    public void MaxPoolWindowBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, PoolGeometry g)
    {
        BackendContract.MaxPoolWindowBackward(dy, winner, dx, g);
        var s = new WindowShape(g, rt.Plan.Split(g.Images * g.InSize));
        if (s.Work.Units == 0) return;
        K<MaxPoolKernels>().WindowBackward(s.Work.Threads, Of(dy).View, Of(winner).View, Of(dx).View, s);
    }
}
