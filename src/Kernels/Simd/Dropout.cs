using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Inverted dropout in place (<see cref="Reference.Dropout"/>), forward on Y and backward on dY alike. The hash of
/// <see cref="DropoutMask.Keep"/> runs on Vector&lt;ulong&gt; lanes (integer arithmetic, so the mask is bit for bit
/// the scalar one); the select stays scalar.
/// </summary>
public static unsafe class Dropout
{
    /// <summary>x[i] ← x[i]·(Keep(key, step, i) ? scale : 0) for start ≤ i &lt; end, scale = 1/(1 − p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* x, int start, int end, ulong key, long step, uint threshold, float scale)
    {
        int i = start, l = Vector<ulong>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            // The same Weyl sum and SplitMix64 finaliser as DropoutMask.Keep, l indices at a time.
            var baseValue = new Vector<ulong>(key + 0x9E3779B97F4A7C15UL * (ulong)(step + 1));
            var c = new Vector<ulong>(0xBF58476D1CE4E5B9UL);
            var m1 = new Vector<ulong>(0xBF58476D1CE4E5B9UL);
            var m2 = new Vector<ulong>(0x94D049BB133111EBUL);
            Span<ulong> lanes = stackalloc ulong[l];
            for (int k = 0; k < l; k++) lanes[k] = (ulong)k;
            var offsets = new Vector<ulong>(lanes);
            for (; i + l <= end; i += l)
            {
                var z = baseValue + c * (new Vector<ulong>((ulong)(i + 1)) + offsets);
                z = (z ^ Vector.ShiftRightLogical(z, 30)) * m1;
                z = (z ^ Vector.ShiftRightLogical(z, 27)) * m2;
                z = Vector.ShiftRightLogical(z ^ Vector.ShiftRightLogical(z, 31), 64 - DropoutMask.Bits);
                for (int k = 0; k < l; k++) x[i + k] = (uint)z[k] >= threshold ? x[i + k] * scale : 0f;
            }
        }
        for (; i < end; i++) x[i] = DropoutMask.Keep(key, step, i, threshold) ? x[i] * scale : 0f;
    }
}
