namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Element-wise activations in double precision (an activation layer of its own; the dense and convolution kernels
/// fuse ReLU): y = f(x) forward, and in place dY[k] *= f'(Y[k]) backward, the derivative taken from the output.
/// </summary>
public static class Activations
{
    /// <summary>y[k] = f(x[k]) for k &lt; n: identity, max(x, 0), 1 / (1 + e^−x), tanh x.</summary>
    public static void Forward(double[] x, double[] y, int n, Activation act)
    {
        for (int k = 0; k < n; k++) y[k] = Of(x[k], act);
    }

    /// <summary>In place: dY[k] *= f'(Y[k]) for k &lt; n (ReLU: 1 where Y &gt; 0, else 0; sigmoid: Y(1 − Y); tanh: 1 − Y²).</summary>
    public static void Backward(double[] y, double[] dy, int n, Activation act)
    {
        for (int k = 0; k < n; k++)
            dy[k] *= act switch
            {
                Activation.Relu => y[k] > 0 ? 1 : 0,
                Activation.Sigmoid => y[k] * (1 - y[k]),
                Activation.Tanh => 1 - y[k] * y[k],
                _ => 1,
            };
    }

    /// <summary>f(x) for one value.</summary>
    public static double Of(double x, Activation act) => act switch
    {
        Activation.Relu => Math.Max(x, 0.0),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.Tanh => Math.Tanh(x),
        _ => x,
    };
}
