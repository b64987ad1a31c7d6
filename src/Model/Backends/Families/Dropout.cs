using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Inverted dropout in place, its mask a counter-based hash: the family's operations of IBackend, their checks in
// BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels: src/Kernels/*/Dropout.cs;
// the reference backend's part: tests/Model/Backends/Families/Dropout.cs).

public partial interface IBackend
{
    /// <summary>
    /// Inverted dropout in place on n elements: x[i] ← x[i]/(1 − p) where <see cref="DropoutMask.Keep"/>(key, step, i),
    /// else 0. The same call with the same key and step applies the forward mask to Y and the backward mask to dY.
    /// Reference: <see cref="Kernels.Reference.Dropout.Forward"/> and <see cref="Kernels.Reference.Dropout.Backward"/>.
    /// </summary>
    void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step);
}

public static partial class BackendContract
{
    public static void Dropout(DeviceBuffer<float> x, int n, float p)
    {
        Sizes((n, nameof(n)));
        Holds(x, n, nameof(x));
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "the drop probability must be in [0, 1)");
    }
}

public sealed unsafe partial class SimdBackend
{
    public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step)
    {
        BackendContract.Dropout(x, n, p);
        float* xp = Own(x, nameof(x)).Pointer;
        uint threshold = DropoutMask.Threshold(p);
        float scale = (float)(1.0 / (1.0 - p));
        // A 128-row step's hidden layer (25,600 elements) stays on this thread: handing it to the pool cost more than the hash.
        SplitElements(n, (s, e) => SimdKernels.Dropout.Apply(xp, s, e, key, step, threshold, scale));
    }
}

public sealed partial class IlgpuBackend
{
    public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step)
    {
        BackendContract.Dropout(x, n, p);
        var a = new DropoutArgs(key, step, DropoutMask.Threshold(p), (float)(1.0 / (1.0 - p)), rt.Plan.Split(n));
        if (n == 0) return;
        K<DropoutKernels>().Apply(a.Work.Threads, Of(x).View, a);
    }
}
