namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Euclidean distance between the two embeddings of each pair. The embedding matrix holds 2·pairs
/// rows of width dim: rows 0..pairs-1 are the left images, rows pairs..2·pairs-1 the right ones.
/// </summary>
public static class PairDistance
{
    /// <summary>E[p] = sqrt(max(Σ_k (a_k − b_k)², eps)) with a = row p, b = row pairs+p.</summary>
    public static void Forward(double[] emb, double[] dist, int pairs, int dim, double eps)
    {
        for (int p = 0; p < pairs; p++)
        {
            double s = SquaredSum(emb, p, pairs, dim);
            dist[p] = Math.Sqrt(Math.Max(s, eps));
        }
    }

    /// <summary>
    /// dA_k = dE·(a_k − b_k)/E, dB_k = −dA_k, overwriting dEmb; zero where the squared sum is below eps
    /// (the clamp is flat there, which is what keeps the gradient finite at zero distance).
    /// </summary>
    public static void Backward(double[] emb, double[] dist, double[] dDist, double[] dEmb, int pairs, int dim, double eps)
    {
        for (int p = 0; p < pairs; p++)
        {
            double s = SquaredSum(emb, p, pairs, dim);
            double scale = s < eps ? 0.0 : dDist[p] / dist[p];
            for (int k = 0; k < dim; k++)
            {
                double g = scale * (emb[p * dim + k] - emb[(pairs + p) * dim + k]);
                dEmb[p * dim + k] = g;
                dEmb[(pairs + p) * dim + k] = -g;
            }
        }
    }

    static double SquaredSum(double[] emb, int p, int pairs, int dim)
    {
        double s = 0;
        for (int k = 0; k < dim; k++)
        {
            double d = emb[p * dim + k] - emb[(pairs + p) * dim + k];
            s += d * d;
        }
        return s;
    }
}
