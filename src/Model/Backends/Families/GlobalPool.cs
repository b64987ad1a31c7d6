using GpuSiamese.Kernels.Ilgpu;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Global average pooling over channels-last images (a ResNet's head): the family's operations of IBackend, their checks
// in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/GlobalPool.cs; the reference backend's part: tests/Model/Backends/Families/GlobalPool.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.GlobalPool.AverageForward"/>: x [images, pixels, channels] → y [images, channels].</summary>
    void GlobalAveragePoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int images, int pixels, int channels);

    /// <summary>Reference: <see cref="Kernels.Reference.GlobalPool.AverageBackward"/> (dx overwritten).</summary>
    void GlobalAveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int images, int pixels, int channels);
}

public static partial class BackendContract
{
    public static void GlobalAveragePoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int images, int pixels, int channels)
    {
        Sizes((images, nameof(images)), (pixels, nameof(pixels)), (channels, nameof(channels)));
        long inN = (long)images * pixels * channels, outN = (long)images * channels;
        Holds(x, inN, nameof(x)); Holds(y, outN, nameof(y));
        Apart(y, outN, nameof(y), (x, inN, nameof(x)));
    }

    public static void GlobalAveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int images, int pixels, int channels)
    {
        Sizes((images, nameof(images)), (pixels, nameof(pixels)), (channels, nameof(channels)));
        long inN = (long)images * pixels * channels, outN = (long)images * channels;
        Holds(dy, outN, nameof(dy)); Holds(dx, inN, nameof(dx));
        Apart(dx, inN, nameof(dx), (dy, outN, nameof(dy)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void GlobalAveragePoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int images, int pixels, int channels)
    {
        BackendContract.GlobalAveragePoolForward(x, y, images, pixels, channels);
        float* xp = Own(x, nameof(x)).Pointer, yp = Own(y, nameof(y)).Pointer;
        Split(images, 1, (long)images * pixels * channels, (s, e, _) => SimdKernels.GlobalPool.AverageForward(xp, yp, s, e, pixels, channels));
    }

    public void GlobalAveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int images, int pixels, int channels)
    {
        BackendContract.GlobalAveragePoolBackward(dy, dx, images, pixels, channels);
        float* dyp = Own(dy, nameof(dy)).Pointer, dxp = Own(dx, nameof(dx)).Pointer;
        Split(images, 1, (long)images * pixels * channels, (s, e, _) => SimdKernels.GlobalPool.AverageBackward(dyp, dxp, s, e, pixels, channels));
    }
}

public sealed partial class IlgpuBackend
{
    public void GlobalAveragePoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int images, int pixels, int channels)
    {
        BackendContract.GlobalAveragePoolForward(x, y, images, pixels, channels);
        var s = new GlobalPoolShape(images, pixels, channels, rt.Plan.Split(images * channels));
        if (s.Work.Units == 0) return;
        K<GlobalPoolKernels>().AverageForward(s.Work.Threads, Of(x).View, Of(y).View, s);
    }

    public void GlobalAveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int images, int pixels, int channels)
    {
        BackendContract.GlobalAveragePoolBackward(dy, dx, images, pixels, channels);
        var s = new GlobalPoolShape(images, pixels, channels, rt.Plan.Split(images * pixels * channels));
        if (s.Work.Units == 0) return;
        K<GlobalPoolKernels>().AverageBackward(s.Work.Threads, Of(dy).View, Of(dx).View, s);
    }
}
