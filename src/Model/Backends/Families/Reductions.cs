using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Sums of a buffer (the loss, the gradient norm): the family's operations of IBackend, their checks in BackendContract,
// and the SIMD and ILGPU backends' implementations, in one place (kernels: src/Kernels/*/Reductions.cs; the reference
// backend's part: tests/Model/Backends/Families/Reductions.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.Reductions.Sum"/>; waits for the result.</summary>
    float Sum(DeviceBuffer<float> x, int n);

    /// <summary>Reference: <see cref="Kernels.Reference.Reductions.SumOfSquares"/>; waits for the result.</summary>
    float SumOfSquares(DeviceBuffer<float> x, int n);
}

public static partial class BackendContract
{
    /// <summary><see cref="IBackend.Sum"/> and <see cref="IBackend.SumOfSquares"/>.</summary>
    public static void Reduction(DeviceBuffer<float> x, int n)
    {
        Sizes((n, nameof(n)));
        Holds(x, n, nameof(x));
    }
}

public sealed unsafe partial class SimdBackend
{
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
}

public sealed partial class IlgpuBackend
{
    public float Sum(DeviceBuffer<float> x, int n) => Total(x, n, square: false);

    public float SumOfSquares(DeviceBuffer<float> x, int n) => Total(x, n, square: true);

    float Total(DeviceBuffer<float> x, int n, bool square)
    {
        BackendContract.Reduction(x, n);
        if (n == 0) return 0f;
        int parts = 1;
        if (rt.Plan.Sum == SumMethod.WarpReduce)
            K<ReductionKernels>().GroupSumLaunch!(new KernelConfig(1, rt.Plan.ReduceGroupSize), Of(x).View, rt.Partials.View,
                new GroupSumShape(n, square ? 1 : 0));
        else
        {
            var s = KernelVariants.PartialSums(rt.Plan, n, square);
            parts = s.Work.Units;
            K<ReductionKernels>().PartialSums!(s.Work.Threads, Of(x).View, rt.Partials.View, s);
        }
        Span<float> host = stackalloc float[parts];
        ArrayView1D<float, Stride1D.Dense> partials = rt.Partials.View.SubView(0, parts);
        partials.CopyToCPU(rt.Stream, host);
        rt.Stream.Synchronize();
        double sum = 0;
        foreach (var v in host) sum += v;
        return (float)sum;
    }
}
