namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Batch normalisation in double precision over channels last: X [M, C] holds M samples of C channels (M = rows·H·W for
/// images, the rows for vectors), each channel normalised over its M values (Ioffe and Szegedy 2015).
/// <list type="bullet">
/// <item>Training: μ_c = (1/M) Σ x, σ²_c = (1/M) Σ (x − μ)² (biased), x̂ = (x − μ)/sqrt(σ² + ε), y = γ·x̂ + β; saved =
/// [μ, 1/sqrt(σ² + ε)] for the backward pass; the running averages move by the momentum m: mean ← (1 − m)·mean + m·μ,
/// var ← (1 − m)·var + m·σ²·M/(M − 1) (the unbiased variance, as PyTorch keeps it; σ² itself when M = 1).</item>
/// <item>Scoring: y = γ·(x − mean)/sqrt(var + ε) + β with the running averages, so a sample's output does not depend on
/// the rest of its batch.</item>
/// <item>Backward (of the training pass, exact): dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/(M·sqrt(σ² + ε))·(M·dy − dβ − x̂·dγ).</item>
/// </list>
/// Outputs are overwritten; the running averages (running = [mean C, var C]) are updated in place.
/// </summary>
public static class BatchNorm
{
    public static void TrainingForward(double[] x, double[] gamma, double[] beta, double[] y, double[] saved, double[] running,
        int samples, int channels, double momentum, double eps)
    {
        for (int c = 0; c < channels; c++)
        {
            double mean = 0;
            for (int m = 0; m < samples; m++) mean += x[m * channels + c];
            mean /= samples;
            double variance = 0;
            for (int m = 0; m < samples; m++)
            {
                double d = x[m * channels + c] - mean;
                variance += d * d;
            }
            variance /= samples;
            double inv = 1 / Math.Sqrt(variance + eps);
            for (int m = 0; m < samples; m++) y[m * channels + c] = gamma[c] * (x[m * channels + c] - mean) * inv + beta[c];
            saved[c] = mean;
            saved[channels + c] = inv;
            double unbiased = samples > 1 ? variance * samples / (samples - 1) : variance;
            running[c] = (1 - momentum) * running[c] + momentum * mean;
            running[channels + c] = (1 - momentum) * running[channels + c] + momentum * unbiased;
        }
    }

    public static void ScoringForward(double[] x, double[] gamma, double[] beta, double[] running, double[] y, int samples, int channels, double eps)
    {
        for (int c = 0; c < channels; c++)
        {
            double inv = 1 / Math.Sqrt(running[channels + c] + eps);
            for (int m = 0; m < samples; m++) y[m * channels + c] = gamma[c] * (x[m * channels + c] - running[c]) * inv + beta[c];
        }
    }

    public static void Backward(double[] x, double[] dy, double[] gamma, double[] saved, double[] dx, double[] dgamma, double[] dbeta,
        int samples, int channels)
    {
        for (int c = 0; c < channels; c++)
        {
            double mean = saved[c], inv = saved[channels + c], sumDy = 0, sumDyXhat = 0;
            for (int m = 0; m < samples; m++)
            {
                double g = dy[m * channels + c];
                sumDy += g;
                sumDyXhat += g * (x[m * channels + c] - mean) * inv;
            }
            dbeta[c] = sumDy;
            dgamma[c] = sumDyXhat;
            double scale = gamma[c] * inv / samples;
            for (int m = 0; m < samples; m++)
            {
                double xhat = (x[m * channels + c] - mean) * inv;
                dx[m * channels + c] = scale * (samples * dy[m * channels + c] - sumDy - xhat * sumDyXhat);
            }
        }
    }
}
