using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Element-wise activations as a layer of their own (ReLU, sigmoid, tanh; their derivatives are ActivationBackward's, in
// the dense family): the family's operations of IBackend, their checks in BackendContract, and the SIMD and ILGPU
// backends' implementations, in one place (kernels: src/Kernels/*/Activations.cs; the reference backend's part:
// tests/Model/Backends/Families/Activations.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.Activations.Forward"/> (y overwritten).</summary>
    void ActivationForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, Activation act);
}

public static partial class BackendContract
{
    public static void ActivationForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int n)
    {
        Sizes((n, nameof(n)));
        Holds(x, n, nameof(x)); Holds(y, n, nameof(y));
        Apart(y, n, nameof(y), (x, n, nameof(x)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void ActivationForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, Activation act)
    {
        BackendContract.ActivationForward(x, y, n);
        float* xp = Own(x, nameof(x)).Pointer, yp = Own(y, nameof(y)).Pointer;
        SplitElements(n, (s, e) => SimdKernels.Activations.Forward(xp, yp, s, e, act),
            act is Activation.Sigmoid or Activation.Tanh ? ParallelElementsCostly : ParallelElements);
    }
}

public sealed partial class IlgpuBackend
{
    public void ActivationForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, Activation act)
    {
        BackendContract.ActivationForward(x, y, n);
        var work = rt.Plan.Split(n);
        if (n == 0) return;
        K<ActivationKernels>().Forward(work.Threads, Of(x).View, Of(y).View, new ActivationArgs(act, work));
    }
}
