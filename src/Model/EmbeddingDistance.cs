namespace GpuSiamese.Model;

/// <summary>The model's distance between two embeddings computed on the host, in double precision.</summary>
public static class EmbeddingDistance
{
    /// <summary>E = sqrt(max(Σ_k (a_k − b_k)², eps)) between rows <paramref name="i"/> and <paramref name="j"/>.</summary>
    public static double Between(ReadOnlySpan<float> embeddings, int dim, int i, int j, double eps)
    {
        var a = embeddings.Slice(i * dim, dim);
        var b = embeddings.Slice(j * dim, dim);
        double s = 0;
        for (int k = 0; k < dim; k++)
        {
            double d = (double)a[k] - b[k];
            s += d * d;
        }
        return Math.Sqrt(Math.Max(s, eps));
    }
}
