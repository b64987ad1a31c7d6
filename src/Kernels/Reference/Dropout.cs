namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Inverted dropout on a hidden layer's output during training: each element is kept with probability 1 − p
/// and then scaled by 1/(1 − p), so the expected output equals the output without dropout and inference needs
/// no rescaling. The mask is <see cref="DropoutMask.Keep"/>(key, step, index), drawn afresh each step.
/// </summary>
public static class Dropout
{
    /// <summary>y[i] ← y[i]·m_i with m_i = 1/(1 − p) where Keep(key, step, i), else 0, for i &lt; n (in place).</summary>
    public static void Forward(double[] y, int n, double p, ulong key, long step) => Multiply(y, n, p, key, step);

    /// <summary>dY[i] ← dY[i]·m_i with the forward pass's m_i (the same key and step), in place: dL/dz = m·dL/dy.</summary>
    public static void Backward(double[] dy, int n, double p, ulong key, long step) => Multiply(dy, n, p, key, step);

    static void Multiply(double[] x, int n, double p, ulong key, long step)
    {
        uint threshold = DropoutMask.Threshold(p);
        double scale = 1.0 / (1.0 - p);
        for (int i = 0; i < n; i++) x[i] = DropoutMask.Keep(key, step, i, threshold) ? x[i] * scale : 0.0;
    }
}
