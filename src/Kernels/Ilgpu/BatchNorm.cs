using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Arguments of a batch-norm launch: samples M and channels C of X [M, C], the momentum and ε, the work split.</summary>
public readonly struct BatchNormArgs
{
    public readonly int Samples, Channels;
    public readonly float Momentum, Eps;
    public readonly WorkSplit Work;

    public BatchNormArgs(int samples, int channels, float momentum, float eps, WorkSplit work)
    {
        Samples = samples; Channels = channels; Momentum = momentum; Eps = eps; Work = work;
    }
}

/// <summary>
/// Batch normalisation kernels (twins of <see cref="Reference.BatchNorm"/>, channels last). The per-channel passes take
/// one unit per channel and sum its M samples in order in double (a GPU has C work-items there: few, but the element
/// passes around them are the bulk); the element passes take one unit per value. A pass's per-channel coefficients:
/// forward y = x·scale + shift (coefficients = [scale, shift]); backward dx = a·dy + b·x + d ([a, b, d]).
/// </summary>
public static class BatchNorm
{
    /// <summary>Training statistics: saved = [μ, 1/sqrt(σ² + ε)], the running averages moved, [scale, shift] = [γ·inv, β − μ·γ·inv].</summary>
    public static void Statistics(Index1D c, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> saved,
        ArrayView<float> running, ArrayView<float> coefficients, BatchNormArgs a) => StatisticsAt(c, x, gamma, beta, saved, running, coefficients, a);

    public static void StatisticsBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> saved,
        ArrayView<float> running, ArrayView<float> coefficients, BatchNormArgs a)
    {
        for (int c = a.Work.Begin(thread), end = a.Work.End(thread); c < end; c++) StatisticsAt(c, x, gamma, beta, saved, running, coefficients, a);
    }

    static void StatisticsAt(int c, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> saved,
        ArrayView<float> running, ArrayView<float> coefficients, BatchNormArgs a)
    {
        int n = a.Samples, ch = a.Channels;
        double mean = 0;
        for (int m = 0; m < n; m++) mean += x[m * ch + c];
        mean /= n;
        double variance = 0;
        for (int m = 0; m < n; m++)
        {
            double d = x[m * ch + c] - mean;
            variance += d * d;
        }
        variance /= n;
        double inv = 1.0 / Math.Sqrt(variance + a.Eps), unbiased = n > 1 ? variance * n / (n - 1) : variance;
        saved[c] = (float)mean;
        saved[ch + c] = (float)inv;
        running[c] = (float)((1.0 - a.Momentum) * running[c] + a.Momentum * mean);
        running[ch + c] = (float)((1.0 - a.Momentum) * running[ch + c] + a.Momentum * unbiased);
        float scale = (float)(gamma[c] * inv);
        coefficients[c] = scale;
        coefficients[ch + c] = (float)(beta[c] - mean * scale);
    }

    /// <summary>Scoring coefficients from the running averages: scale = γ/sqrt(var + ε), shift = β − mean·scale.</summary>
    public static void ScoringCoefficients(Index1D c, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> running,
        ArrayView<float> coefficients, BatchNormArgs a) => ScoringAt(c, gamma, beta, running, coefficients, a);

    public static void ScoringCoefficientsBlocked(Index1D thread, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> running,
        ArrayView<float> coefficients, BatchNormArgs a)
    {
        for (int c = a.Work.Begin(thread), end = a.Work.End(thread); c < end; c++) ScoringAt(c, gamma, beta, running, coefficients, a);
    }

    static void ScoringAt(int c, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> running, ArrayView<float> coefficients, BatchNormArgs a)
    {
        double scale = gamma[c] / Math.Sqrt(running[a.Channels + c] + (double)a.Eps);
        coefficients[c] = (float)scale;
        coefficients[a.Channels + c] = (float)(beta[c] - running[c] * scale);
    }

    /// <summary>y[m, c] = x[m, c]·scale[c] + shift[c]; one unit per value.</summary>
    public static void Affine(Index1D u, ArrayView<float> x, ArrayView<float> coefficients, ArrayView<float> y, BatchNormArgs a)
    {
        int c = u % a.Channels;
        y[u] = x[u] * coefficients[c] + coefficients[a.Channels + c];
    }

    public static void AffineBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> coefficients, ArrayView<float> y, BatchNormArgs a)
    {
        for (int u = a.Work.Begin(thread), end = a.Work.End(thread); u < end; u++)
        {
            int c = u % a.Channels;
            y[u] = x[u] * coefficients[c] + coefficients[a.Channels + c];
        }
    }

    /// <summary>dβ = Σ dy, dγ = Σ dy·x̂ per channel (in double), and the coefficients [a, b, d] of dx = a·dy + b·x + d.</summary>
    public static void GradientSums(Index1D c, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> gamma, ArrayView<float> saved,
        ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> coefficients, BatchNormArgs a) =>
        GradientSumsAt(c, x, dy, gamma, saved, dgamma, dbeta, coefficients, a);

    public static void GradientSumsBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> gamma, ArrayView<float> saved,
        ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> coefficients, BatchNormArgs a)
    {
        for (int c = a.Work.Begin(thread), end = a.Work.End(thread); c < end; c++)
            GradientSumsAt(c, x, dy, gamma, saved, dgamma, dbeta, coefficients, a);
    }

    static void GradientSumsAt(int c, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> gamma, ArrayView<float> saved,
        ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> coefficients, BatchNormArgs a)
    {
        int n = a.Samples, ch = a.Channels;
        float mean = saved[c], inv = saved[ch + c];
        double sumDy = 0, sumDyXhat = 0;
        for (int m = 0; m < n; m++)
        {
            float g = dy[m * ch + c];
            sumDy += g;
            sumDyXhat += g * ((x[m * ch + c] - mean) * inv);
        }
        dbeta[c] = (float)sumDy;
        dgamma[c] = (float)sumDyXhat;
        double k = (double)gamma[c] * inv;
        coefficients[c] = (float)k;
        coefficients[ch + c] = (float)(-k * inv * sumDyXhat / n);
        coefficients[2 * ch + c] = (float)(-k * (sumDy - (double)mean * inv * sumDyXhat) / n);
    }

    /// <summary>dx[m, c] = a[c]·dy[m, c] + b[c]·x[m, c] + d[c]; one unit per value.</summary>
    public static void InputGradient(Index1D u, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> coefficients, ArrayView<float> dx, BatchNormArgs a)
    {
        int c = u % a.Channels, ch = a.Channels;
        dx[u] = coefficients[c] * dy[u] + coefficients[ch + c] * x[u] + coefficients[2 * ch + c];
    }

    public static void InputGradientBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> coefficients, ArrayView<float> dx,
        BatchNormArgs a)
    {
        int ch = a.Channels;
        for (int u = a.Work.Begin(thread), end = a.Work.End(thread); u < end; u++)
        {
            int c = u % ch;
            dx[u] = coefficients[c] * dy[u] + coefficients[ch + c] * x[u] + coefficients[2 * ch + c];
        }
    }
}

/// <summary>The batch-norm kernels a plan launches: blocked, or one work-item per channel or value.</summary>
public sealed record BatchNormKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> Statistics,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> ScoringCoefficients,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> Affine,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> GradientSums,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> InputGradient) : IKernelFamily
{
    public static BatchNormKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(BatchNorm.StatisticsBlocked, BatchNorm.ScoringCoefficientsBlocked, BatchNorm.AffineBlocked, BatchNorm.GradientSumsBlocked, BatchNorm.InputGradientBlocked)
        : new(BatchNorm.Statistics, BatchNorm.ScoringCoefficients, BatchNorm.Affine, BatchNorm.GradientSums, BatchNorm.InputGradient);

    public IEnumerable<Delegate?> Kernels => [Statistics, ScoringCoefficients, Affine, GradientSums, InputGradient];

    public IKernelFamily Load(IKernelLoader l) =>
        new BatchNormKernels(l.Load(Statistics), l.Load(ScoringCoefficients), l.Load(Affine), l.Load(GradientSums), l.Load(InputGradient));
}
