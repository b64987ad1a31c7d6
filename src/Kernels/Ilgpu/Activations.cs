using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Arguments of an activation launch: which function (<see cref="Activation"/> as an int) and the work split.</summary>
public readonly struct ActivationArgs
{
    public readonly int Kind;
    public readonly WorkSplit Work;

    public ActivationArgs(Activation kind, WorkSplit work)
    {
        Kind = (int)kind; Work = work;
    }
}

/// <summary>
/// Element-wise activations (twins of <see cref="Reference.Activations"/>): y = f(x) forward, and in place
/// dY *= f'(Y) for sigmoid and tanh (ReLU's backward pass is <see cref="Dense.ReluBackward"/>'s). Units are elements: a
/// block per thread in <c>*Blocked</c> (the CPU accelerator), else one per work-item. tanh x = 1 − 2 / (e^{2x} + 1).
/// </summary>
public static class Activations
{
    public static void ForwardBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> y, ActivationArgs a)
    {
        for (int k = a.Work.Begin(thread), end = a.Work.End(thread); k < end; k++) y[k] = Of(x[k], a.Kind);
    }

    public static void Forward(Index1D k, ArrayView<float> x, ArrayView<float> y, ActivationArgs a) => y[k] = Of(x[k], a.Kind);

    public static void SmoothBackwardBlocked(Index1D thread, ArrayView<float> y, ArrayView<float> dy, ActivationArgs a)
    {
        for (int k = a.Work.Begin(thread), end = a.Work.End(thread); k < end; k++) dy[k] *= Slope(y[k], a.Kind);
    }

    public static void SmoothBackward(Index1D k, ArrayView<float> y, ArrayView<float> dy, ActivationArgs a) => dy[k] *= Slope(y[k], a.Kind);

    static float Of(float x, int kind) => kind switch
    {
        (int)Activation.Relu => x > 0f ? x : 0f,
        (int)Activation.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        (int)Activation.Tanh => 1f - 2f / (MathF.Exp(2f * x) + 1f),
        _ => x,
    };

    static float Slope(float y, int kind) => kind == (int)Activation.Sigmoid ? y * (1f - y) : 1f - y * y;
}

/// <summary>The activation kernels a plan launches: blocked, or one work-item per element.</summary>
public sealed record ActivationKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ActivationArgs> Forward,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ActivationArgs> SmoothBackward) : IKernelFamily
{
    public static ActivationKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(Activations.ForwardBlocked, Activations.SmoothBackwardBlocked)
        : new(Activations.Forward, Activations.SmoothBackward);

    public IEnumerable<Delegate?> Kernels => [Forward, SmoothBackward];

    public IKernelFamily Load(IKernelLoader l) => new ActivationKernels(l.Load(Forward), l.Load(SmoothBackward));
}
