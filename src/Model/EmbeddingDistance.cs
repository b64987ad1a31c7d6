namespace GpuSiamese.Model;

/// <summary>The model's distance between two embeddings computed on the host, in double precision.</summary>
public static class EmbeddingDistance
{
    /// <summary>E = sqrt(max(Σ_k (a_k − b_k)², eps)) between rows <paramref name="i"/> and <paramref name="j"/>.</summary>
    public static double Between(ReadOnlySpan<float> embeddings, int dim, int i, int j, double eps) =>
        Between(embeddings.Slice(i * dim, dim), embeddings.Slice(j * dim, dim), eps);

    /// <summary>E = sqrt(max(Σ_k (a_k − b_k)², eps)) between two embeddings of one width.</summary>
    public static double Between(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double eps)
    {
        if (a.Length != b.Length) throw new ArgumentException($"embeddings of widths {a.Length} and {b.Length}");
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double d = (double)a[k] - b[k];
            s += d * d;
        }
        return Math.Sqrt(Math.Max(s, eps));
    }
}
