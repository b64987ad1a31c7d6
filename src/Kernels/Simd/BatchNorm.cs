using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Batch normalisation (<see cref="Reference.BatchNorm"/>) on host vectors, channels last: X [M, C]. The per-channel sums
/// run over the samples in order, a vector of channels at a time, in float over blocks of <see cref="Block"/> samples added
/// into double, so that a mean over 10⁵ samples keeps float's precision. The element passes are one fused multiply-add
/// per value with per-channel coefficients: y = x·scale + shift forward, dx = a·dy + b·x + d backward.
/// </summary>
public static unsafe class BatchNorm
{
    /// <summary>Samples summed in float before the sum is added into double.</summary>
    public const int Block = 64;

    /// <summary>
    /// For the channels cStart ≤ c &lt; cEnd (a multiple of the vector width apart, except at the end): the batch mean and
    /// variance in double (two passes), saved = [μ, 1/sqrt(σ² + ε)] as floats, the running averages moved by the momentum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Statistics(float* x, float* saved, float* running, int samples, int channels, int cStart, int cEnd,
        float momentum, float eps)
    {
        int count = cEnd - cStart;
        Span<double> mean = count <= 256 ? stackalloc double[count] : new double[count];
        Span<double> variance = count <= 256 ? stackalloc double[count] : new double[count];
        Sums(x, null, samples, channels, cStart, cEnd, mean);
        for (int c = 0; c < count; c++) mean[c] /= samples;
        Sums(x, mean, samples, channels, cStart, cEnd, variance);
        for (int c = 0; c < count; c++)
        {
            double v = variance[c] / samples, unbiased = samples > 1 ? v * samples / (samples - 1) : v;
            int ch = cStart + c;
            saved[ch] = (float)mean[c];
            saved[channels + ch] = (float)(1 / Math.Sqrt(v + eps));
            running[ch] = (float)((1 - (double)momentum) * running[ch] + momentum * mean[c]);
            running[channels + ch] = (float)((1 - (double)momentum) * running[channels + ch] + momentum * unbiased);
        }
    }

    /// <summary>Σ_m x[m, c] (centre null) or Σ_m (x[m, c] − centre[c])², for cStart ≤ c &lt; cEnd, into <paramref name="sums"/>.</summary>
    static void Sums(float* x, Span<double> centre, int samples, int channels, int cStart, int cEnd, Span<double> sums)
    {
        bool centred = !centre.IsEmpty;
        int l = Vector<float>.Count, c = cStart;
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        sums.Clear();
        for (; c + l <= cEnd; c += l)
        {
            var mid = Vector<float>.Zero;
            if (centred)
            {
                for (int k = 0; k < l; k++) lanes[k] = (float)centre[c - cStart + k];
                mid = new Vector<float>(lanes);
            }
            for (int m0 = 0; m0 < samples; m0 += Block)
            {
                var s = Vector<float>.Zero;
                for (int m = m0, end = Math.Min(samples, m0 + Block); m < end; m++)
                {
                    var v = Vector.Load(x + (long)m * channels + c);
                    if (centred) { v -= mid; s += v * v; }
                    else s += v;
                }
                for (int k = 0; k < l; k++) sums[c - cStart + k] += s[k];
            }
        }
        for (; c < cEnd; c++)
        {
            float mid = centred ? (float)centre[c - cStart] : 0f;
            for (int m0 = 0; m0 < samples; m0 += Block)
            {
                float s = 0;
                for (int m = m0, end = Math.Min(samples, m0 + Block); m < end; m++)
                {
                    float v = x[(long)m * channels + c];
                    if (centred) { v -= mid; s += v * v; }
                    else s += v;
                }
                sums[c - cStart] += s;
            }
        }
    }

    /// <summary>y[m, c] = x[m, c]·scale[c] + shift[c] for the samples mStart ≤ m &lt; mEnd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Affine(float* x, float* scale, float* shift, float* y, int mStart, int mEnd, int channels)
    {
        int l = Vector<float>.Count;
        for (int m = mStart; m < mEnd; m++)
        {
            float* xr = x + (long)m * channels, yr = y + (long)m * channels;
            int c = 0;
            for (; c + l <= channels; c += l) Vector.FusedMultiplyAdd(Vector.Load(xr + c), Vector.Load(scale + c), Vector.Load(shift + c)).Store(yr + c);
            for (; c < channels; c++) yr[c] = MathF.FusedMultiplyAdd(xr[c], scale[c], shift[c]);
        }
    }

    /// <summary>
    /// The backward pass's per-channel sums for cStart ≤ c &lt; cEnd: dβ = Σ dy and dγ = Σ dy·x̂ (in double over float
    /// blocks), and the coefficients of dx = a·dy + b·x + d: a = γ·inv, b = −a·inv·dγ/M, d = −a·(dβ − μ·inv·dγ)/M.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientSums(float* x, float* dy, float* gamma, float* saved, float* dgamma, float* dbeta, float* coefficients,
        int samples, int channels, int cStart, int cEnd)
    {
        int l = Vector<float>.Count;
        Span<double> sumDy = stackalloc double[Vector<float>.Count], sumDyXhat = stackalloc double[Vector<float>.Count];
        for (int c0 = cStart; c0 < cEnd; c0 += l)
        {
            int width = Math.Min(l, cEnd - c0);
            sumDy.Clear();
            sumDyXhat.Clear();
            if (width == l)
            {
                var mean = Vector.Load(saved + c0);
                var inv = Vector.Load(saved + channels + c0);
                for (int m0 = 0; m0 < samples; m0 += Block)
                {
                    Vector<float> s1 = Vector<float>.Zero, s2 = Vector<float>.Zero;
                    for (int m = m0, end = Math.Min(samples, m0 + Block); m < end; m++)
                    {
                        var g = Vector.Load(dy + (long)m * channels + c0);
                        s1 += g;
                        s2 += g * ((Vector.Load(x + (long)m * channels + c0) - mean) * inv);
                    }
                    for (int k = 0; k < l; k++) { sumDy[k] += s1[k]; sumDyXhat[k] += s2[k]; }
                }
            }
            else
                for (int k = 0; k < width; k++)
                {
                    int c = c0 + k;
                    float mean = saved[c], inv = saved[channels + c];
                    for (int m0 = 0; m0 < samples; m0 += Block)
                    {
                        float s1 = 0, s2 = 0;
                        for (int m = m0, end = Math.Min(samples, m0 + Block); m < end; m++)
                        {
                            float g = dy[(long)m * channels + c];
                            s1 += g;
                            s2 += g * ((x[(long)m * channels + c] - mean) * inv);
                        }
                        sumDy[k] += s1;
                        sumDyXhat[k] += s2;
                    }
                }
            for (int k = 0; k < width; k++)
            {
                int c = c0 + k;
                double mean = saved[c], inv = saved[channels + c], a = (double)gamma[c] * inv;
                dbeta[c] = (float)sumDy[k];
                dgamma[c] = (float)sumDyXhat[k];
                coefficients[c] = (float)a;
                coefficients[channels + c] = (float)(-a * inv * sumDyXhat[k] / samples);
                coefficients[2 * channels + c] = (float)(-a * (sumDy[k] - mean * inv * sumDyXhat[k]) / samples);
            }
        }
    }

    /// <summary>dx[m, c] = a[c]·dy[m, c] + b[c]·x[m, c] + d[c] for mStart ≤ m &lt; mEnd (coefficients = [a, b, d]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(float* x, float* dy, float* coefficients, float* dx, int mStart, int mEnd, int channels)
    {
        int l = Vector<float>.Count;
        float* a = coefficients, b = coefficients + channels, d = coefficients + 2 * channels;
        for (int m = mStart; m < mEnd; m++)
        {
            long row = (long)m * channels;
            int c = 0;
            for (; c + l <= channels; c += l)
                Vector.FusedMultiplyAdd(Vector.Load(a + c), Vector.Load(dy + row + c),
                    Vector.FusedMultiplyAdd(Vector.Load(b + c), Vector.Load(x + row + c), Vector.Load(d + c))).Store(dx + row + c);
            for (; c < channels; c++) dx[row + c] = MathF.FusedMultiplyAdd(a[c], dy[row + c], MathF.FusedMultiplyAdd(b[c], x[row + c], d[c]));
        }
    }
}
