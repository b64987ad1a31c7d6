using GpuSiamese.Kernels.Ilgpu;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// The variant and work-group choice, called with made-up device properties: a CUDA GPU (warp 32, groups of 1,024,
/// 48 KiB shared), an OpenCL GPU with and without sub-groups, PoCL and the CPU accelerator, and odd shapes.
/// </summary>
[TestFixture]
public class KernelVariantsTests
{
    /// <summary>An H100/H200-like device: warp 32, 1,024 threads per group, 48 KiB shared memory per group, 132 SMs.</summary>
    static readonly IlgpuDeviceTraits Cuda = new(IlgpuDeviceKind.Cuda, 32, 1024, 48 * 1024, 132 * 2048, true);
    static readonly IlgpuDeviceTraits Pocl = new(IlgpuDeviceKind.OpenClCpu, 1, 4096, 256 * 1024, 4096, false);
    static readonly IlgpuDeviceTraits CpuAccelerator = new(IlgpuDeviceKind.CpuAccelerator, 2, 2, 1 << 30, 2, true);
    /// <summary>An AMD-like OpenCL GPU: wavefronts of 64, groups of 256.</summary>
    static readonly IlgpuDeviceTraits OpenClGpu = new(IlgpuDeviceKind.OpenClGpu, 64, 256, 64 * 1024, 60 * 2560, true);

    [Test]
    public void CudaRunsOneWorkItemPerUnitAutoGroupedAndSumsInOneGroupOf1024()
    {
        var p = KernelVariants.For(Cuda);
        Assert.That(p.Units, Is.EqualTo(UnitMapping.PerWorkItem));
        Assert.That(p.GroupSize, Is.EqualTo(0), "CUDA's occupancy calculator picks the group size");
        Assert.That(p.Sum, Is.EqualTo(SumMethod.WarpReduce));
        Assert.That(p.ReduceGroupSize, Is.EqualTo(1024));
        Assert.That(p.Split(1000), Is.EqualTo(new WorkSplit(1000, 1)));
    }

    [Test]
    public void TheOneLaunchSumsGroupIsWholeWarpsWithinTheDevicesLimits()
    {
        Assert.That(KernelVariants.ReduceGroupSize(Cuda with { MaxGroupSize = 100 }), Is.EqualTo(96), "whole warps only");
        Assert.That(KernelVariants.ReduceGroupSize(OpenClGpu), Is.EqualTo(256), "the device's largest group");
        Assert.That(KernelVariants.ReduceGroupSize(Cuda with { WarpSize = 4 }), Is.EqualTo(Reductions.MaxWarps * 4),
            "no more warps than the shared array of warp sums holds");
        Assert.That(KernelVariants.ReduceGroupSize(Cuda with { MaxGroupSize = 16 }), Is.EqualTo(0), "no whole warp fits");
        Assert.That(KernelVariants.ReduceGroupSize(Cuda with { SharedMemoryPerGroup = 64 }), Is.EqualTo(0),
            "the warp sums must fit in shared memory");
    }

    [Test]
    public void GpusWithoutWarpShufflesOrRoomKeepThePartialSums()
    {
        var noSubGroups = KernelVariants.For(OpenClGpu with { WarpShuffles = false });
        Assert.That(noSubGroups.Sum, Is.EqualTo(SumMethod.PartialSums));
        Assert.That(noSubGroups.InterleavedParts, Is.True);
        Assert.That(KernelVariants.For(OpenClGpu).Sum, Is.EqualTo(SumMethod.WarpReduce));
        Assert.That(KernelVariants.For(Cuda with { SharedMemoryPerGroup = 0 }).Sum, Is.EqualTo(SumMethod.PartialSums));
    }

    [Test]
    public void PoclRunsGroupsOf64AndInterleavedPartialSums()
    {
        var p = KernelVariants.For(Pocl);
        Assert.That(p.Units, Is.EqualTo(UnitMapping.PerWorkItem));
        Assert.That(p.GroupSize, Is.EqualTo(KernelVariants.OpenClCpuGroupSize));
        Assert.That(p.Sum, Is.EqualTo(SumMethod.PartialSums), "PoCL keeps today's partial sums even with sub-groups");
        Assert.That(KernelVariants.For(Pocl with { WarpShuffles = true }).Sum, Is.EqualTo(SumMethod.PartialSums));
        Assert.That((p.SumParts, p.InterleavedParts), Is.EqualTo((KernelVariants.GpuParts, true)));
    }

    [Test]
    public void CpuAcceleratorRunsBlocksOfUnitsOnePerThreadAndContiguousPartialSums()
    {
        var p = KernelVariants.For(CpuAccelerator with { MaxThreads = 3 });
        Assert.That(p.Units, Is.EqualTo(UnitMapping.Blocked));
        Assert.That(p.Sum, Is.EqualTo(SumMethod.PartialSums));
        Assert.That((p.SumParts, p.InterleavedParts), Is.EqualTo((KernelVariants.CpuParts, false)));
        Assert.That(p.Split(10), Is.EqualTo(new WorkSplit(10, 4)), "3 threads walk blocks of 4, 4 and 2 units");
        var s = KernelVariants.PartialSums(p, 1000, square: true);
        Assert.That((s.PartStart, s.ElementStride, s.PerPart, s.Square), Is.EqualTo((16, 1, 16, 1)), "64 contiguous blocks of 16");
        var g = KernelVariants.PartialSums(KernelVariants.For(Pocl), 5000, square: false);
        Assert.That((g.PartStart, g.ElementStride, g.PerPart, g.Work.Units), Is.EqualTo((1, 1024, 5, 1024)), "1,024 interleaved parts of 5");
    }

    [Test]
    public void EachPlanLoadsOnlyItsOwnMappingsKernels()
    {
        var gpu = KernelVariants.Kernels(KernelVariants.For(Cuda)).All().Select(k => k.Name).ToList();
        var cpu = KernelVariants.Kernels(KernelVariants.For(CpuAccelerator)).All().Select(k => k.Name).ToList();
        Assert.That(gpu, Does.Contain("Dense.ForwardRows4Out4").And.Contain("Dense.BackwardWeightsRows4Out4")
            .And.Contain("Reductions.GroupSum").And.Not.Contain("Reductions.PartialSums"));
        Assert.That(gpu.Where(n => n.EndsWith("Blocked") || n.Contains("Tile4x4")), Is.Empty);
        Assert.That(cpu, Does.Contain("Dense.ForwardTile4x4Vec4").And.Contain("Reductions.PartialSumsBlocked")
            .And.Not.Contain("Reductions.GroupSum"));
        Assert.That(cpu.Where(n => n.Contains("Rows4")), Is.Empty);
        Assert.That(KernelVariants.Kernels(KernelVariants.For(Pocl)).All().Select(k => k.Name),
            Does.Contain("Reductions.PartialSums").And.Not.Contain("Reductions.GroupSum"));
    }

    [Test]
    public void DenseFloat4KernelsOnlyWhereWidthsAndOffsetsAreMultiplesOfFour()
    {
        var gpu = KernelVariants.For(Cuda);
        Assert.That(KernelVariants.DenseForward(gpu, 128, 196, 200, 0, 0), Is.EqualTo(new DenseLaunch(DenseVariant.Rows4Out4, 32 * 50)));
        Assert.That(KernelVariants.DenseForward(gpu, 128, 196, 200, 3, 0).Variant, Is.EqualTo(DenseVariant.Rows4Out4),
            "Rows4Out4 reads X as floats: its offset does not matter");
        Assert.That(KernelVariants.DenseForward(gpu, 127, 196, 200, 0, 2), Is.EqualTo(new DenseLaunch(DenseVariant.Rows4, 32 * 200)));
        Assert.That(KernelVariants.DenseForward(gpu, 3, 7, 10, 0, 0), Is.EqualTo(new DenseLaunch(DenseVariant.Rows4, 10)));
        Assert.That(KernelVariants.DenseBackwardWeights(gpu, 196, 200, 1, 0), Is.EqualTo(new DenseLaunch(DenseVariant.Rows4Out4, 49 * 50)));
        Assert.That(KernelVariants.DenseBackwardWeights(gpu, 196, 200, 0, 6), Is.EqualTo(new DenseLaunch(DenseVariant.Rows4, 49 * 200 + 200)),
            "db's units follow the weights' units");
        Assert.That(KernelVariants.DenseBackwardWeights(gpu, 0, 200, 0, 0).Units, Is.EqualTo(0));
        Assert.That(KernelVariants.DenseBackwardData(gpu, 5, 7), Is.EqualTo(new DenseLaunch(DenseVariant.Rows4, 2 * 7)));

        var cpu = KernelVariants.For(CpuAccelerator);
        Assert.That(KernelVariants.DenseForward(cpu, 128, 196, 200, 0, 400), Is.EqualTo(new DenseLaunch(DenseVariant.Tile4x4Vec4, 32 * 50)));
        Assert.That(KernelVariants.DenseForward(cpu, 128, 196, 200, 2, 0).Variant, Is.EqualTo(DenseVariant.Tile4x4), "X off the 4-float grid");
        Assert.That(KernelVariants.DenseForward(cpu, 128, 196, 10, 0, 0).Variant, Is.EqualTo(DenseVariant.Tile4x4), "OutW not a multiple of 4");
        Assert.That(KernelVariants.DenseForward(cpu, 128, 0, 8, 0, 0).Variant, Is.EqualTo(DenseVariant.Tile4x4), "no inputs: nothing to read");
        Assert.That(KernelVariants.DenseBackwardWeights(cpu, 196, 200, 0, 0), Is.EqualTo(new DenseLaunch(DenseVariant.Tile4x4Vec4, 49 * 50)));
        Assert.That(KernelVariants.DenseBackwardWeights(cpu, 196, 200, 0, 1).Variant, Is.EqualTo(DenseVariant.Tile4x4));
        Assert.That(KernelVariants.DenseBackwardData(cpu, 5, 7), Is.EqualTo(new DenseLaunch(DenseVariant.Tile4x4, 2 * 2)));
    }
}
