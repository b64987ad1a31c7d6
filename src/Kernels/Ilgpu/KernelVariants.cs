using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>The kinds of ILGPU device whose kernel choices differ.</summary>
public enum IlgpuDeviceKind
{
    /// <summary>ILGPU's CPU accelerator: kernels run as .NET code on simulated threads.</summary>
    CpuAccelerator,
    /// <summary>An OpenCL CPU device (PoCL): vectorises across work-items, runs groups on cores.</summary>
    OpenClCpu,
    /// <summary>An OpenCL GPU.</summary>
    OpenClGpu,
    /// <summary>An NVIDIA GPU through CUDA (PTX).</summary>
    Cuda,
}

/// <summary>
/// What the variant choice reads from a device: its kind, warp (sub-group) size, largest group, shared memory per
/// group, how many threads run at once (the CPU accelerator's simulated threads) and whether warp shuffles
/// (OpenCL sub-groups) are there. Tests make these up; <c>IlgpuBackend</c> reads them from its accelerator.
/// </summary>
public readonly record struct IlgpuDeviceTraits(IlgpuDeviceKind Kind, int WarpSize, int MaxGroupSize, long SharedMemoryPerGroup,
    int MaxThreads, bool WarpShuffles)
{
    /// <summary>CUDA and OpenCL GPUs: many threads, coalesced neighbours, cheap barriers.</summary>
    public bool IsGpu => Kind is IlgpuDeviceKind.Cuda or IlgpuDeviceKind.OpenClGpu;
}

/// <summary>How a kernel's units of work map onto threads.</summary>
public enum UnitMapping
{
    /// <summary>A few threads each walk a contiguous block of units (the <c>*Blocked</c>/<c>*Tile4x4*</c> kernels).</summary>
    Blocked,
    /// <summary>One work-item per unit, neighbours on neighbouring addresses, no loop over units.</summary>
    PerWorkItem,
}

/// <summary>How Sum and SumOfSquares add up a buffer.</summary>
public enum SumMethod
{
    /// <summary><see cref="Reductions.PartialSums"/>: float sums of short runs, added in double on the host.</summary>
    PartialSums,
    /// <summary><see cref="Reductions.GroupSum"/>: one group, ILGPU.Algorithms' warp reductions, one float back.</summary>
    WarpReduce,
}

/// <summary>The dense kernels a launch can take (see <see cref="Dense"/>).</summary>
public enum DenseVariant { Tile4x4, Tile4x4Vec4, Rows4, Rows4Out4 }

/// <summary>A dense launch: which kernel and how many units of work it has (0 = nothing to launch).</summary>
public readonly record struct DenseLaunch(DenseVariant Variant, int Units);

/// <summary>
/// The device-wide choices: how units map onto threads (and how many threads on the CPU accelerator), the
/// work-group size (0 = ILGPU's automatic grouping: the occupancy calculator on CUDA), and how sums are taken.
/// </summary>
public sealed record KernelPlan(UnitMapping Units, int MaxThreads, int GroupSize, SumMethod Sum, int SumParts,
    bool InterleavedParts, int ReduceGroupSize)
{
    /// <summary>The work split of a launch of <paramref name="units"/> units.</summary>
    public WorkSplit Split(int units) =>
        Units == UnitMapping.Blocked ? WorkSplit.Over(units, MaxThreads) : new WorkSplit(units, 1);
}

/// <summary>Every kernel family's kernels as one plan launches them (<see cref="KernelVariants.Families"/>).</summary>
public sealed record KernelSet(IReadOnlyList<IKernelFamily> Families)
{
    /// <summary>Every kernel of the set, named "Type.Method" (for compiling them all, e.g. to PTX).</summary>
    public IEnumerable<(string Name, Delegate Kernel)> All()
    {
        foreach (var family in Families)
            foreach (var k in family.Kernels)
                if (k != null) yield return ($"{k.Method.DeclaringType!.Name}.{k.Method.Name}", k);
    }
}

/// <summary>
/// Which ILGPU kernel variant runs on which device, and with which work shape: one pure function of the device's
/// traits (<see cref="For"/>), the kernel families it implies (<see cref="Families"/>), and the per-launch dense choice,
/// which also proves the Float4 kernels' alignment (<see cref="DenseForward"/> and its siblings).
/// <list type="bullet">
/// <item>CPU accelerator: one thread per simulated core, each walking a contiguous block of 4x4 register tiles read
/// four floats per access where widths and offsets allow (that simulator pays per view access and per simulated
/// thread); partial sums over 64 contiguous blocks (ILGPU.Algorithms' barrier-based reductions cost seconds per
/// launch there).</item>
/// <item>PoCL (OpenCL CPU): one work-item per unit (PoCL vectorises across work-items), groups of 64 (PoCL offers
/// 4,096, which ILGPU's automatic grouping takes, so a few thousand work-items ran as one group on one core; 64
/// cut the training step from 2.0 to 1.3 ms), partial sums over 1,024 interleaved parts.</item>
/// <item>CUDA and OpenCL GPUs: one work-item per unit, ILGPU's automatic group size (CUDA's occupancy
/// calculator), Sum and SumOfSquares in one launch of one group with ILGPU.Algorithms' warp reductions where the
/// device has warp shuffles (OpenCL: sub-groups) and room for the warps' sums in shared memory.</item>
/// </list>
/// </summary>
public static class KernelVariants
{
    /// <summary>CPU-accelerator partial sums per reduction (contiguous blocks, a few per thread).</summary>
    public const int CpuParts = 64;
    /// <summary>Partial sums per reduction elsewhere (each adds ⌈n/1024⌉ interleaved elements).</summary>
    public const int GpuParts = 1024;
    /// <summary>Work-group size on OpenCL CPU devices (PoCL), measured above.</summary>
    public const int OpenClCpuGroupSize = 64;
    /// <summary>Largest group of the one-launch sum: CUDA's 1,024 threads.</summary>
    public const int MaxReduceGroupSize = 1024;

    /// <summary>The device-wide choices for a device with these traits.</summary>
    public static KernelPlan For(IlgpuDeviceTraits d)
    {
        if (d.Kind == IlgpuDeviceKind.CpuAccelerator)
            return new KernelPlan(UnitMapping.Blocked, Math.Max(1, d.MaxThreads), 0, SumMethod.PartialSums, CpuParts, false, 0);
        int group = d.Kind == IlgpuDeviceKind.OpenClCpu ? OpenClCpuGroupSize : 0;
        int reduceGroup = ReduceGroupSize(d);
        bool warpReduce = d.IsGpu && d.WarpShuffles && reduceGroup > 0;
        return new KernelPlan(UnitMapping.PerWorkItem, int.MaxValue, group,
            warpReduce ? SumMethod.WarpReduce : SumMethod.PartialSums, GpuParts, true, warpReduce ? reduceGroup : 0);
    }

    /// <summary>
    /// The one-launch sum's group: as large as the device allows up to 1,024, a whole number of warps, at most
    /// <see cref="Reductions.MaxWarps"/> warps (the shared array of warp sums), and that array must fit the
    /// device's shared memory. 0 where no group fits.
    /// </summary>
    public static int ReduceGroupSize(IlgpuDeviceTraits d)
    {
        if (d.WarpSize < 1 || d.MaxGroupSize < d.WarpSize || d.SharedMemoryPerGroup < Reductions.MaxWarps * sizeof(float)) return 0;
        int size = Math.Min(Math.Min(d.MaxGroupSize, MaxReduceGroupSize), Reductions.MaxWarps * d.WarpSize);
        return size / d.WarpSize * d.WarpSize;
    }

    /// <summary>
    /// The kernel families, each choosing its kernels for the plan beside the kernels themselves (<c>XKernels.For</c>):
    /// blocked or per-work-item twins, the Float4 variants of its mapping, its sum. A new family is one more line here.
    /// </summary>
    public static IReadOnlyList<IKernelFamily> Families(KernelPlan p) =>
    [
        GatherKernels.For(p), DenseKernels.For(p), Conv2dKernels.For(p), MaxPoolKernels.For(p), PairDistanceKernels.For(p),
        ContrastiveLossKernels.For(p), TripletLossKernels.For(p), DropoutKernels.For(p), WeightDecayKernels.For(p),
        OptimizerKernels.For(p), ReductionKernels.For(p), ElementwiseKernels.For(p), ActivationKernels.For(p), GlobalPoolKernels.For(p),
        BatchNormKernels.For(p),
    ];

    /// <summary>The kernels a plan launches, every family's (<see cref="Families"/>).</summary>
    public static KernelSet Kernels(KernelPlan p) => new(Families(p));

    /// <summary>
    /// Dense forward: per work-item, 4 rows x 4 outputs with W read as Float4 where OutW is a multiple of 4 and W's
    /// view starts on a 4-float boundary, else 4 rows of one output; blocked, 4x4 tiles with X and W read as Float4
    /// where both widths are multiples of 4 (InW &gt; 0) and both views start on a 4-float boundary.
    /// </summary>
    public static DenseLaunch DenseForward(KernelPlan p, int rows, int inW, int outW, long xOffset, long wOffset)
    {
        if (p.Units == UnitMapping.PerWorkItem)
            return outW % 4 == 0 && wOffset % 4 == 0
                ? new DenseLaunch(DenseVariant.Rows4Out4, Tiles(rows) * (outW / 4))
                : new DenseLaunch(DenseVariant.Rows4, Tiles(rows) * outW);
        int units = Tiles(rows) * Tiles(outW);
        return new DenseLaunch(inW > 0 && Vec4Fits(inW, outW, xOffset, wOffset) ? DenseVariant.Tile4x4Vec4 : DenseVariant.Tile4x4, units);
    }

    /// <summary>Dense dX: 4 rows of one input per work-item, or blocked 4x4 tiles.</summary>
    public static DenseLaunch DenseBackwardData(KernelPlan p, int rows, int inW) =>
        p.Units == UnitMapping.PerWorkItem
            ? new DenseLaunch(DenseVariant.Rows4, Tiles(rows) * inW)
            : new DenseLaunch(DenseVariant.Tile4x4, Tiles(rows) * Tiles(inW));

    /// <summary>
    /// Dense dW and db (no units when InW = 0): per work-item, 4 inputs x 4 outputs with dY read as Float4 where
    /// OutW is a multiple of 4 and dY's view starts on a 4-float boundary, else 4 inputs of one output plus OutW
    /// db units; blocked, 4x4 tiles with X and dY read as Float4 where both widths and both offsets allow.
    /// </summary>
    public static DenseLaunch DenseBackwardWeights(KernelPlan p, int inW, int outW, long xOffset, long dyOffset)
    {
        if (inW == 0) return new DenseLaunch(DenseVariant.Tile4x4, 0);
        if (p.Units == UnitMapping.PerWorkItem)
            return outW % 4 == 0 && dyOffset % 4 == 0
                ? new DenseLaunch(DenseVariant.Rows4Out4, Tiles(inW) * (outW / 4))
                : new DenseLaunch(DenseVariant.Rows4, Tiles(inW) * outW + outW);
        return new DenseLaunch(Vec4Fits(inW, outW, xOffset, dyOffset) ? DenseVariant.Tile4x4Vec4 : DenseVariant.Tile4x4,
            Tiles(inW) * Tiles(outW));
    }

    /// <summary>The partial-sum launch of a plan over n &gt; 0 elements: ≤ SumParts parts, contiguous or interleaved.</summary>
    public static PartialSumShape PartialSums(KernelPlan p, int n, bool square)
    {
        int parts = Math.Min(n, p.SumParts);
        int perPart = (n + parts - 1) / parts;
        return p.InterleavedParts
            ? new PartialSumShape(n, 1, parts, perPart, square ? 1 : 0, p.Split(parts))
            : new PartialSumShape(n, perPart, 1, perPart, square ? 1 : 0, p.Split(parts));
    }

    static int Tiles(int n) => (n + 3) / 4;

    /// <summary>Both widths multiples of 4 and both views starting on a 4-float boundary of their buffer.</summary>
    static bool Vec4Fits(int inW, int outW, long aOffset, long bOffset) =>
        inW % 4 == 0 && outW % 4 == 0 && aOffset % 4 == 0 && bOffset % 4 == 0;
}
