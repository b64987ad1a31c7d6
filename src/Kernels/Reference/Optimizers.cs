namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Optimizer steps over a flat parameter vector. Every step first scales the gradient by
/// <c>gradScale</c> (1, or the clipping factor min(1, maxNorm/‖g‖)).
/// </summary>
public static class Optimizers
{
    /// <summary>
    /// Adam (Kingma and Ba) with bias correction at step t ≥ 1:
    /// m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr·(m/(1−β1ᵗ)) / (sqrt(v/(1−β2ᵗ)) + eps).
    /// </summary>
    public static void Adam(double[] p, double[] g, double[] m, double[] v, int n,
        double lr, double beta1, double beta2, double eps, int t, double gradScale)
    {
        double c1 = 1 - Math.Pow(beta1, t), c2 = 1 - Math.Pow(beta2, t);
        for (int k = 0; k < n; k++)
        {
            double gk = g[k] * gradScale;
            m[k] = beta1 * m[k] + (1 - beta1) * gk;
            v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
            p[k] -= lr * (m[k] / c1) / (Math.Sqrt(v[k] / c2) + eps);
        }
    }

    /// <summary>RMSprop: s = ρ·s + (1−ρ)·g²; p −= lr·g / (sqrt(s) + eps).</summary>
    public static void RmsProp(double[] p, double[] g, double[] s, int n, double lr, double rho, double eps, double gradScale)
    {
        for (int k = 0; k < n; k++)
        {
            double gk = g[k] * gradScale;
            s[k] = rho * s[k] + (1 - rho) * gk * gk;
            p[k] -= lr * gk / (Math.Sqrt(s[k]) + eps);
        }
    }

    /// <summary>
    /// SGD with momentum μ: u = μ·u + g; p −= lr·u, or with Nesterov p −= lr·(g + μ·u).
    /// μ = 0 is plain SGD.
    /// </summary>
    public static void Sgd(double[] p, double[] g, double[] u, int n, double lr, double momentum, bool nesterov, double gradScale)
    {
        for (int k = 0; k < n; k++)
        {
            double gk = g[k] * gradScale;
            u[k] = momentum * u[k] + gk;
            p[k] -= lr * (nesterov ? gk + momentum * u[k] : u[k]);
        }
    }
}
