namespace GpuSiamese.Model;

/// <summary>Principal component analysis of embeddings, for the two-dimensional picture of the embedding space.</summary>
public static class Pca
{
    /// <summary>
    /// The rows projected on the two leading principal axes: x_i ↦ ((x_i − μ)·v1, (x_i − μ)·v2), with v1, v2 the unit
    /// eigenvectors of the covariance C = (1/n)·Σ (x_i − μ)(x_i − μ)ᵀ of largest eigenvalues, found by power iteration
    /// (v2 after deflating v1) in double precision; each axis's sign makes its largest component positive, so the
    /// picture is reproducible. Width-1 embeddings give a zero second coordinate.
    /// </summary>
    public static (double[] X, double[] Y) Project2(ReadOnlySpan<float> embeddings, int dim)
    {
        if (dim < 1)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, "expected a positive embedding width");
        if (embeddings.Length % dim != 0)
            throw new ArgumentException($"{embeddings.Length} values are not whole rows of {dim}", nameof(embeddings));
        int n = embeddings.Length / dim;
        var mean = new double[dim];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dim; k++)
                mean[k] += embeddings[i * dim + k];
        for (int k = 0; k < dim; k++)
            mean[k] /= Math.Max(n, 1);
        var cov = new double[dim, dim];
        var row = new double[dim];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < dim; k++)
                row[k] = embeddings[i * dim + k] - mean[k];
            for (int a = 0; a < dim; a++)
                for (int b = a; b < dim; b++)
                    cov[a, b] += row[a] * row[b];
        }
        for (int a = 0; a < dim; a++)
            for (int b = a; b < dim; b++)
                cov[b, a] = cov[a, b] /= Math.Max(n, 1);
        var v1 = LeadingEigenvector(cov, dim);
        double l1 = Rayleigh(cov, v1, dim);
        for (int a = 0; a < dim; a++)
            for (int b = 0; b < dim; b++)
                cov[a, b] -= l1 * v1[a] * v1[b];
        var v2 = dim > 1 ? LeadingEigenvector(cov, dim) : new double[dim];
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dim; k++)
            {
                double c = embeddings[i * dim + k] - mean[k];
                x[i] += c * v1[k];
                y[i] += c * v2[k];
            }
        return (x, y);
    }

    static double[] LeadingEigenvector(double[,] m, int dim)
    {
        var v = new double[dim];
        for (int k = 0; k < dim; k++)
            v[k] = 1.0 + 0.01 * k; // a fixed start with a part along every axis
        Normalise(v);
        var next = new double[dim];
        for (int iteration = 0; iteration < 500; iteration++)
        {
            for (int a = 0; a < dim; a++)
            {
                double s = 0;
                for (int b = 0; b < dim; b++)
                    s += m[a, b] * v[b];
                next[a] = s;
            }
            if (Normalise(next) == 0)
                return new double[dim];
            double change = 0;
            for (int k = 0; k < dim; k++)
                change = Math.Max(change, Math.Abs(next[k] - v[k]));
            (v, next) = (next, v);
            if (change < 1e-12)
                break;
        }
        int largest = 0;
        for (int k = 1; k < dim; k++)
            if (Math.Abs(v[k]) > Math.Abs(v[largest])) largest = k;
        if (v[largest] < 0)
            for (int k = 0; k < dim; k++) v[k] = -v[k];
        return v;
    }

    static double Rayleigh(double[,] m, double[] v, int dim)
    {
        double s = 0;
        for (int a = 0; a < dim; a++)
            for (int b = 0; b < dim; b++)
                s += v[a] * m[a, b] * v[b];
        return s;
    }

    static double Normalise(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(t => t * t));
        if (norm > 0)
            for (int k = 0; k < v.Length; k++) v[k] /= norm;
        return norm;
    }
}
