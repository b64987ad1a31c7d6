namespace GpuSiamese.Kernels.Reference;

/// <summary>Reductions the training step needs (loss sum, gradient norm for clipping).</summary>
public static class Reductions
{
    /// <summary>Σ_k x[k] for k &lt; n.</summary>
    public static double Sum(double[] x, int n)
    {
        double s = 0;
        for (int k = 0; k < n; k++) s += x[k];
        return s;
    }

    /// <summary>Σ_k x[k]² for k &lt; n.</summary>
    public static double SumOfSquares(double[] x, int n)
    {
        double s = 0;
        for (int k = 0; k < n; k++) s += x[k] * x[k];
        return s;
    }
}
