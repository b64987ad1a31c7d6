namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Element-wise sums and copies in double precision: a residual connection's y = a + b (its backward pass sends dY to
/// both inputs), and the executor's sum of the gradients of an output that feeds several layers. Outputs are
/// overwritten, except <see cref="Accumulate"/>, which adds into its destination.
/// </summary>
public static class Elementwise
{
    /// <summary>y[i] = a[i] + b[i] for i &lt; n.</summary>
    public static void Add(double[] a, double[] b, double[] y, int n)
    {
        for (int i = 0; i < n; i++) y[i] = a[i] + b[i];
    }

    /// <summary>dst[i] ← dst[i] + src[i] for i &lt; n.</summary>
    public static void Accumulate(double[] src, double[] dst, int n)
    {
        for (int i = 0; i < n; i++) dst[i] += src[i];
    }

    /// <summary>dst[i] = src[i] for i &lt; n.</summary>
    public static void Copy(double[] src, double[] dst, int n)
    {
        for (int i = 0; i < n; i++) dst[i] = src[i];
    }
}
