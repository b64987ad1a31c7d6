using GpuSiamese.Kernels.Ilgpu;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Element-wise sums and copies (a residual add, the sum of the gradients of an output that feeds several layers): the
// family's operations of IBackend, their checks in BackendContract, and the SIMD and ILGPU backends' implementations,
// in one place (kernels: src/Kernels/*/Elementwise.cs; the reference backend's part: tests/Model/Backends/Families/Elementwise.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.Elementwise.Add"/> (y overwritten).</summary>
    void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, int n);

    /// <summary>Reference: <see cref="Kernels.Reference.Elementwise.Accumulate"/> (dst += src, in place on dst).</summary>
    void Accumulate(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n);

    /// <summary>Reference: <see cref="Kernels.Reference.Elementwise.Copy"/>.</summary>
    void Copy(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n);
}

public static partial class BackendContract
{
    public static void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, int n)
    {
        Sizes((n, nameof(n)));
        Holds(a, n, nameof(a)); Holds(b, n, nameof(b)); Holds(y, n, nameof(y));
        Apart(y, n, nameof(y), (a, n, nameof(a)), (b, n, nameof(b)));
    }

    public static void Accumulate(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        Sizes((n, nameof(n)));
        Holds(src, n, nameof(src)); Holds(dst, n, nameof(dst));
        Apart(dst, n, nameof(dst), (src, n, nameof(src)));
    }

    public static void Copy(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        Sizes((n, nameof(n)));
        Holds(src, n, nameof(src)); Holds(dst, n, nameof(dst));
        Apart(dst, n, nameof(dst), (src, n, nameof(src)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, int n)
    {
        BackendContract.Add(a, b, y, n);
        float* ap = Own(a, nameof(a)).Pointer, bp = Own(b, nameof(b)).Pointer, yp = Own(y, nameof(y)).Pointer;
        SplitElements(n, (s, e) => SimdKernels.Elementwise.Add(ap, bp, yp, s, e));
    }

    public void Accumulate(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        BackendContract.Accumulate(src, dst, n);
        float* sp = Own(src, nameof(src)).Pointer, dp = Own(dst, nameof(dst)).Pointer;
        SplitElements(n, (s, e) => SimdKernels.Elementwise.Accumulate(sp, dp, s, e));
    }

    public void Copy(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        BackendContract.Copy(src, dst, n);
        float* sp = Own(src, nameof(src)).Pointer, dp = Own(dst, nameof(dst)).Pointer;
        SplitElements(n, (s, e) => SimdKernels.Elementwise.Copy(sp, dp, s, e));
    }
}

public sealed partial class IlgpuBackend
{
    public void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, int n)
    {
        BackendContract.Add(a, b, y, n);
        var work = rt.Plan.Split(n);
        if (n == 0) return;
        K<ElementwiseKernels>().Add(work.Threads, Of(a).View, Of(b).View, Of(y).View, work);
    }

    public void Accumulate(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        BackendContract.Accumulate(src, dst, n);
        var work = rt.Plan.Split(n);
        if (n == 0) return;
        K<ElementwiseKernels>().Accumulate(work.Threads, Of(src).View, Of(dst).View, work);
    }

    public void Copy(DeviceBuffer<float> src, DeviceBuffer<float> dst, int n)
    {
        BackendContract.Copy(src, dst, n);
        var work = rt.Plan.Split(n);
        if (n == 0) return;
        K<ElementwiseKernels>().Copy(work.Threads, Of(src).View, Of(dst).View, work);
    }
}
