using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Inverted dropout in place (<see cref="Reference.Dropout"/>), forward on Y and backward on dY alike. Scalar:
/// the hash per element is 64-bit multiplies that AVX-512 lacks below AVX-512DQ, and a hidden layer of a
/// 128-row step is ~25,000 elements (tens of µs at most).
/// </summary>
public static unsafe class Dropout
{
    /// <summary>x[i] ← x[i]·(Keep(key, step, i) ? scale : 0) for start ≤ i &lt; end, scale = 1/(1 − p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* x, int start, int end, ulong key, long step, uint threshold, float scale)
    {
        for (int i = start; i < end; i++) x[i] = DropoutMask.Keep(key, step, i, threshold) ? x[i] * scale : 0f;
    }
}
