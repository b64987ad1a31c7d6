using GpuSiamese.Kernels.Reference;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class ReductionsTests
{
    [Test]
    public void SumsMatchReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 3, 127, 128, 1000, 41410)] int n)
    {
        using var b = BackendCases.Open(c);
        var x = Parity.Random(new Random(n), n);
        using var bx = Up(b, x);
        double s = Reductions.Sum(D(x), n), q = Reductions.SumOfSquares(D(x), n);
        Assert.That(b.Sum(bx, n), Is.EqualTo(s).Within(1e-4 + Math.Abs(s) * 1e-5));
        Assert.That(b.SumOfSquares(bx, n), Is.EqualTo(q).Within(1e-4 + q * 1e-5));
        // A prefix only: elements past n must not count.
        if (n > 3) Assert.That(b.Sum(bx, 3), Is.EqualTo(Reductions.Sum(D(x), 3)).Within(1e-5));
    }
}

/// <summary>
/// The GPU plans' one-launch sum (<see cref="GpuSiamese.Kernels.Ilgpu.Reductions.GroupSum"/>, ILGPU.Algorithms'
/// warp reductions) run through IlgpuBackend on ILGPU's CPU accelerator, which no plan gives it: the CPU
/// accelerator is made with warps of 4 (4 warps a group) and of 2 (8 warps: more warps than warp 0 has lanes).
/// Small cases: barriers cost milliseconds there.
/// </summary>
[TestFixture]
public class WarpReduceSumTests
{
    static readonly Dictionary<int, GpuSiamese.Model.Backends.IlgpuBackend> Backends = [];

    static GpuSiamese.Model.Backends.IlgpuBackend Backend(int warp)
    {
        if (Backends.TryGetValue(warp, out var b)) return b;
        var context = Context.Create(x => x.CPU(new CPUDevice(warp, 16 / warp, 1)).EnableAlgorithms());
        var accelerator = context.GetPreferredDevice(preferCPU: true).CreateAccelerator(context);
        var traits = GpuSiamese.Model.Backends.IlgpuBackend.Traits(accelerator);
        var plan = GpuSiamese.Kernels.Ilgpu.KernelVariants.For(traits) with
        {
            Sum = GpuSiamese.Kernels.Ilgpu.SumMethod.WarpReduce,
            ReduceGroupSize = GpuSiamese.Kernels.Ilgpu.KernelVariants.ReduceGroupSize(traits),
        };
        return Backends[warp] = new GpuSiamese.Model.Backends.IlgpuBackend(context, accelerator, $"cpu, warps of {warp}", plan);
    }

    [OneTimeTearDown]
    public void DisposeAll()
    {
        foreach (var b in Backends.Values) b.Dispose();
        Backends.Clear();
    }

    [Test]
    public void GroupOfSixteenThreadsOnTheCpuAccelerator([Values(4, 2)] int warp)
    {
        Assert.That(Backend(warp).Plan.ReduceGroupSize, Is.EqualTo(16));
        Assert.That(Backend(warp).Accelerator.WarpSize, Is.EqualTo(warp));
    }

    [Test]
    public void SumsMatchReferenceAndRepeatBitForBit([Values(4, 2)] int warp, [Values(1, 3, 17, 128, 1000)] int n)
    {
        var b = Backend(warp);
        var x = Parity.Random(new Random(n), n);
        using var bx = Up(b, x);
        double s = Reductions.Sum(D(x), n), q = Reductions.SumOfSquares(D(x), n);
        float sum = b.Sum(bx, n), squares = b.SumOfSquares(bx, n);
        Assert.That(sum, Is.EqualTo(s).Within(1e-4 + Math.Abs(s) * 1e-5));
        Assert.That(squares, Is.EqualTo(q).Within(1e-4 + q * 1e-5));
        Assert.That(b.Sum(bx, n), Is.EqualTo(sum), "a fixed order: the same bits again");
        if (n > 3) Assert.That(b.Sum(bx, 3), Is.EqualTo(Reductions.Sum(D(x), 3)).Within(1e-5), "elements past n do not count");
    }
}
