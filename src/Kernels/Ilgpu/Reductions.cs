using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>
/// A partial-sum launch: Parts partial sums over the first N elements. Part j covers the elements
/// j·PartStart + t·ElementStride for t &lt; PerPart (and &lt; N): contiguous blocks on the CPU accelerator
/// (PartStart = block, ElementStride = 1), interleaved on GPUs so neighbours read neighbours
/// (PartStart = 1, ElementStride = Parts).
/// </summary>
public readonly struct PartialSumShape
{
    public readonly int N, PartStart, ElementStride, PerPart;
    /// <summary>1 = sum of squares, 0 = sum.</summary>
    public readonly int Square;
    public readonly WorkSplit Work;

    public PartialSumShape(int n, int partStart, int elementStride, int perPart, int square, WorkSplit work)
    {
        N = n; PartStart = partStart; ElementStride = elementStride; PerPart = perPart; Square = square; Work = work;
    }
}

/// <summary>
/// Sums for loss and gradient norm (twins of <see cref="Reference.Reductions"/>), in two stages without barriers:
/// this kernel writes float partial sums of short runs, the host adds them in double. Barrier-based
/// reductions (ILGPU.Algorithms) cost seconds per launch on ILGPU's CPU accelerator, and short float runs
/// keep the rounding error near that of a double sum. Units are the parts.
/// </summary>
public static class Reductions
{
    /// <summary>partial[j] = Σ_t x[k] (or x[k]²) over the elements k of part j; a block of parts per thread.</summary>
    public static void PartialSumsBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> partial, PartialSumShape s)
    {
        for (int j = s.Work.Begin(thread), end = s.Work.End(thread); j < end; j++) PartialSumAt(j, x, partial, s);
    }

    /// <summary>As <see cref="PartialSumsBlocked"/>, one part per work-item.</summary>
    public static void PartialSums(Index1D j, ArrayView<float> x, ArrayView<float> partial, PartialSumShape s) =>
        PartialSumAt(j, x, partial, s);

    static void PartialSumAt(int j, ArrayView<float> x, ArrayView<float> partial, PartialSumShape s)
    {
        float sum = 0;
        for (int t = 0, k = j * s.PartStart; t < s.PerPart && k < s.N; t++, k += s.ElementStride)
        {
            float v = x[k];
            sum += s.Square != 0 ? v * v : v;
        }
        partial[j] = sum;
    }
}
