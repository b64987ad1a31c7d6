using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>Decoupled weight decay (<see cref="Reference.WeightDecay"/>) on the elements start ≤ k &lt; end.</summary>
public static unsafe class WeightDecay
{
    /// <summary>p[k] ← p[k] − rate·p[k].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* p, int start, int end, float rate)
    {
        int k = start, l = Vector<float>.Count;
        var r = new Vector<float>(rate);
        for (; k + l <= end; k += l)
        {
            var v = Vector.Load(p + k);
            (v - r * v).Store(p + k);
        }
        for (; k < end; k++) p[k] -= rate * p[k];
    }
}
