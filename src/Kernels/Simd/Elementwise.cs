using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>Element-wise sums and copies (<see cref="Reference.Elementwise"/>) on the elements start ≤ i &lt; end.</summary>
public static unsafe class Elementwise
{
    /// <summary>y[i] = a[i] + b[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(float* a, float* b, float* y, int start, int end)
    {
        int i = start, l = Vector<float>.Count;
        for (; i + l <= end; i += l) (Vector.Load(a + i) + Vector.Load(b + i)).Store(y + i);
        for (; i < end; i++) y[i] = a[i] + b[i];
    }

    /// <summary>dst[i] ← dst[i] + src[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(float* src, float* dst, int start, int end)
    {
        int i = start, l = Vector<float>.Count;
        for (; i + l <= end; i += l) (Vector.Load(dst + i) + Vector.Load(src + i)).Store(dst + i);
        for (; i < end; i++) dst[i] += src[i];
    }

    /// <summary>dst[i] = src[i].</summary>
    public static void Copy(float* src, float* dst, int start, int end) =>
        new ReadOnlySpan<float>(src + start, end - start).CopyTo(new Span<float>(dst + start, end - start));
}
