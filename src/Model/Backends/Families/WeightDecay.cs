using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Decoupled weight decay in place: the family's operations of IBackend, their checks in BackendContract, and the SIMD
// and ILGPU backends' implementations, in one place (kernels: src/Kernels/*/WeightDecay.cs; the reference backend's
// part: tests/Model/Backends/Families/WeightDecay.cs).

public partial interface IBackend
{
    /// <summary>Decoupled weight decay p ← p − rate·p on n elements. Reference: <see cref="Kernels.Reference.WeightDecay.Apply"/>.</summary>
    void WeightDecay(DeviceBuffer<float> p, int n, float rate);
}

public static partial class BackendContract
{
    public static void WeightDecay(DeviceBuffer<float> p, int n)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void WeightDecay(DeviceBuffer<float> p, int n, float rate)
    {
        BackendContract.WeightDecay(p, n);
        float* pp = Own(p, nameof(p)).Pointer;
        SplitElements(n, (s, e) => SimdKernels.WeightDecay.Apply(pp, s, e, rate));
    }
}

public sealed partial class IlgpuBackend
{
    public void WeightDecay(DeviceBuffer<float> p, int n, float rate)
    {
        BackendContract.WeightDecay(p, n);
        var a = new DecayArgs(rate, rt.Plan.Split(n));
        if (n == 0) return;
        K<WeightDecayKernels>().Apply(a.Work.Threads, Of(p).View, a);
    }
}
