using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Element-wise activations (<see cref="Reference.Activations"/>) on the elements start ≤ k &lt; end: y = f(x), and the
/// smooth ones' derivatives from the output (ReLU's backward pass is <see cref="Dense.ActivationBackward"/>'s).
/// Sigmoid is 1 / (1 + e^−x) and tanh x = 1 − 2 / (e^{2x} + 1), both through the vectorised exponential.
/// </summary>
public static unsafe class Activations
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* x, float* y, int start, int end, Activation act)
    {
        int k = start, l = Vector<float>.Count;
        var one = Vector<float>.One;
        var two = new Vector<float>(2f);
        switch (act)
        {
            case Activation.Relu:
                for (; k + l <= end; k += l) Vector.Max(Vector.Load(x + k), Vector<float>.Zero).Store(y + k);
                for (; k < end; k++) y[k] = MathF.Max(x[k], 0f);
                break;
            case Activation.Sigmoid:
                for (; k + l <= end; k += l) (one / (one + Vector.Exp(-Vector.Load(x + k)))).Store(y + k);
                for (; k < end; k++) y[k] = 1f / (1f + MathF.Exp(-x[k]));
                break;
            case Activation.Tanh:
                for (; k + l <= end; k += l) (one - two / (Vector.Exp(two * Vector.Load(x + k)) + one)).Store(y + k);
                for (; k < end; k++) y[k] = 1f - 2f / (MathF.Exp(2f * x[k]) + 1f);
                break;
            default:
                new ReadOnlySpan<float>(x + start, end - start).CopyTo(new Span<float>(y + start, end - start));
                break;
        }
    }

    /// <summary>In place: dY[k] *= Y(1 − Y) (sigmoid) or 1 − Y² (tanh).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SmoothBackward(float* y, float* dy, int start, int end, Activation act)
    {
        int k = start, l = Vector<float>.Count;
        var one = Vector<float>.One;
        if (act == Activation.Sigmoid)
        {
            for (; k + l <= end; k += l)
            {
                var v = Vector.Load(y + k);
                (Vector.Load(dy + k) * v * (one - v)).Store(dy + k);
            }
            for (; k < end; k++) dy[k] *= y[k] * (1f - y[k]);
        }
        else if (act == Activation.Tanh)
        {
            for (; k + l <= end; k += l)
            {
                var v = Vector.Load(y + k);
                (Vector.Load(dy + k) * (one - v * v)).Store(dy + k);
            }
            for (; k < end; k++) dy[k] *= 1f - y[k] * y[k];
        }
    }
}
