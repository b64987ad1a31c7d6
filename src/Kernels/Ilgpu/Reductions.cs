using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

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

/// <summary>The one-launch sum over the first N elements (1 = sum of squares, 0 = sum).</summary>
public readonly struct GroupSumShape
{
    public readonly int N;
    public readonly int Square;

    public GroupSumShape(int n, int square)
    {
        N = n; Square = square;
    }
}

/// <summary>
/// Sums for loss and gradient norm (twins of <see cref="Reference.Reductions"/>), two ways (chosen by
/// <see cref="KernelVariants.For"/>). <see cref="PartialSums"/>: two stages without barriers, the kernel writes float
/// partial sums of short runs and the host adds them in double; barrier-based reductions cost seconds per launch on
/// ILGPU's CPU accelerator, and short float runs keep the rounding error near that of a double sum. Units are the
/// parts. <see cref="GroupSum"/>: one launch of one group with ILGPU.Algorithms' warp reductions (GPUs).
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

    /// <summary>Most warps in a <see cref="GroupSum"/> group: the length of its shared array of warp sums.</summary>
    public const int MaxWarps = 32;

    /// <summary>
    /// result[0] = Σ_k x[k] (or x[k]²) over k &lt; N, launched as one group of G ≤ MaxWarps·warp threads (a whole
    /// number of warps): thread t adds x[t], x[t+G], … (neighbours read neighbours); each warp adds its threads'
    /// sums with ILGPU.Algorithms' WarpExtensions.Reduce (shuffles); warp 0 adds the warps' sums in warp order
    /// and reduces them the same way. The order is fixed, so a sum has the same bits on every run (ILGPU.Algorithms'
    /// GroupExtensions.Reduce combines warps through shared-memory atomics, in arrival order).
    /// </summary>
    public static void GroupSum(ArrayView<float> x, ArrayView<float> result, GroupSumShape s)
    {
        var warpSums = SharedMemory.Allocate<float>(MaxWarps);
        int t = Group.IdxX, size = Group.DimX;
        float sum = 0;
        for (int k = t; k < s.N; k += size)
        {
            float v = x[k];
            sum += s.Square != 0 ? v * v : v;
        }
        sum = WarpExtensions.Reduce<float, AddFloat>(sum);
        int warp = Warp.WarpIdx, lane = Warp.LaneIdx, warps = (size + Warp.WarpSize - 1) / Warp.WarpSize;
        if (lane == 0) warpSums[warp] = sum;
        Group.Barrier();
        if (warp == 0)
        {
            float total = 0;
            for (int w = lane; w < warps; w += Warp.WarpSize) total += warpSums[w];
            total = WarpExtensions.Reduce<float, AddFloat>(total);
            if (lane == 0) result[0] = total;
        }
    }
}

/// <summary>
/// How a plan sums a buffer: partial sums (blocked or interleaved parts), or the one-launch group sum with warp
/// reductions (<see cref="GroupSumLaunch"/> is its loaded, explicitly grouped form; null until loaded).
/// </summary>
public sealed record ReductionKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, PartialSumShape>? PartialSums,
    Action<ArrayView<float>, ArrayView<float>, GroupSumShape>? GroupSum,
    Action<KernelConfig, ArrayView<float>, ArrayView<float>, GroupSumShape>? GroupSumLaunch = null) : IKernelFamily
{
    public static ReductionKernels For(KernelPlan p) => p.Sum == SumMethod.WarpReduce
        ? new(null, Reductions.GroupSum)
        : new(p.Units == UnitMapping.Blocked ? Reductions.PartialSumsBlocked : Reductions.PartialSums, null);

    public IEnumerable<Delegate?> Kernels => [PartialSums, GroupSum];

    public IKernelFamily Load(IKernelLoader l) => this with
    {
        PartialSums = (PartialSums is null ? null : l.Load(PartialSums)),
        GroupSumLaunch = GroupSum is null ? null : l.LoadGrouped(GroupSum),
    };
}
