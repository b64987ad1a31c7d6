using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using GpuSiamese.Tests.Kernels;
using Parity = GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Model.Backends;

[TestFixture]
public class IlgpuBackendTests
{
    static IlgpuBackend Cpu => IlgpuSharedBackends.Get("cpu");

    [Test]
    public void NameSaysCpuAcceleratorAndItsThreads()
    {
        Assert.That(Cpu.Name, Does.Contain("CPU accelerator").And.Contain($"{Environment.ProcessorCount} threads"));
    }

    [Test]
    public void BorrowedHandleDisposesNothing()
    {
        var owner = Cpu;
        using (var borrowed = owner.Borrow())
        {
            using var buf = borrowed.Allocate<float>(3);
            borrowed.Upload<float>(buf, [1f, 2f, 3f]);
            Assert.That(borrowed.Sum(buf, 3), Is.EqualTo(6f));
        }
        using var after = owner.Allocate<float>(2);
        owner.Upload<float>(after, [4f, 5f]);
        Assert.That(owner.Sum(after, 2), Is.EqualTo(9f), "the owner still works after the borrowed handle is disposed");
    }

    [Test]
    public void AllocateIsZeroFilledAndUploadDownloadRoundTrips()
    {
        using var buf = Cpu.Allocate<int>(5);
        var got = new int[5];
        Cpu.Download<int>(buf, got);
        Assert.That(got, Is.All.EqualTo(0));
        Cpu.Upload<int>(buf, [7, 8, 9]);
        Cpu.Download<int>(buf, got);
        Assert.That(got, Is.EqualTo(new[] { 7, 8, 9, 0, 0 }));
    }

    [Test]
    public void SliceOutsideItsParentIsRefused()
    {
        using var buf = Cpu.Allocate<float>(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => buf.Slice(8, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => buf.Slice(-1, 2));
        Assert.That(buf.Slice(4, 6).Length, Is.EqualTo(6));
    }

    [Test]
    public void DisposingASliceLeavesTheParentIntact()
    {
        using var buf = Cpu.Allocate<float>(4);
        Cpu.Upload<float>(buf, [1f, 2f, 3f, 4f]);
        buf.Slice(1, 2).Dispose();
        Assert.That(Cpu.Sum(buf, 4), Is.EqualTo(10f));
    }

    [Test]
    public void TooSmallBufferIsAnArgumentErrorNamingIt()
    {
        using var x = Cpu.Allocate<float>(3 * 7);
        using var w = Cpu.Allocate<float>(7 * 5);
        using var b = Cpu.Allocate<float>(5);
        using var y = Cpu.Allocate<float>(3 * 5 - 1);
        var e = Assert.Throws<ArgumentException>(() => Cpu.DenseForward(x, w, b, y, 3, 7, 5, Activation.Relu));
        Assert.That(e!.ParamName, Is.EqualTo("y"));
        Assert.That(e.Message, Does.Contain("14").And.Contain("15"));
    }

    [Test]
    public void BufferOfAnotherBackendIsRefused()
    {
        using var other = IlgpuDevices.Create("cpu");
        using var foreign = other.Allocate<float>(4);
        using var mine = Cpu.Allocate<float>(4);
        Assert.Throws<ArgumentException>(() => Cpu.ActivationBackward(foreign, mine, 4, Activation.Relu));
    }

    [Test]
    public void EmptyOperationsDoNothing()
    {
        using var buf = Cpu.Allocate<float>(4);
        Cpu.Upload<float>(buf, [1f, -2f, 3f, -4f]);
        Cpu.DenseForward(buf, buf, buf, buf, 0, 2, 2, Activation.Relu);
        Cpu.AdamStep(buf, buf, buf, buf, 0, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f);
        Cpu.PairDistanceForward(buf, buf, 0, 2, 1e-7f);
        Assert.That(Cpu.Sum(buf, 0), Is.EqualTo(0f));
        Assert.That(Cpu.Sum(buf, 4), Is.EqualTo(-2f), "nothing was written");
    }

    [Test]
    public void DenseThroughSlicesMatchesReferenceOnAndOffTheFloat4Boundary([Values(0, 2, 4, 8)] int offset)
    {
        // Widths that are multiples of 4 take the CPU accelerator's Float4 kernels only when the slices
        // start on a 4-float boundary; both paths must address the slice's own elements.
        const int rows = 5, inW = 8, outW = 12;
        var rng = new Random(offset + 1);
        var x = Parity.Random(rng, offset + rows * inW);
        var w = Parity.Random(rng, offset + inW * outW);
        var dy = Parity.Random(rng, offset + rows * outW);
        var bias = Parity.Random(rng, outW);
        double[] D(float[] a, int n) => a.Skip(offset).Take(n).Select(v => (double)v).ToArray();
        var ey = new double[rows * outW];
        GpuSiamese.Kernels.Reference.Dense.Forward(D(x, rows * inW), D(w, inW * outW), bias.Select(v => (double)v).ToArray(), ey, rows, inW, outW, Activation.Relu);
        var ew = new double[inW * outW];
        var eb = new double[outW];
        GpuSiamese.Kernels.Reference.Dense.BackwardWeights(D(x, rows * inW), D(dy, rows * outW), ew, eb, rows, inW, outW);

        using var bx = Cpu.Allocate<float>(x.Length); Cpu.Upload<float>(bx, x);
        using var bw = Cpu.Allocate<float>(w.Length); Cpu.Upload<float>(bw, w);
        using var bdy = Cpu.Allocate<float>(dy.Length); Cpu.Upload<float>(bdy, dy);
        using var bb = Cpu.Allocate<float>(outW); Cpu.Upload<float>(bb, bias);
        using var y = Cpu.Allocate<float>(rows * outW);
        using var dw = Cpu.Allocate<float>(inW * outW);
        using var db = Cpu.Allocate<float>(outW);
        Cpu.DenseForward(bx.Slice(offset, rows * inW), bw.Slice(offset, inW * outW), bb, y, rows, inW, outW, Activation.Relu);
        Cpu.DenseBackwardWeights(bx.Slice(offset, rows * inW), bdy.Slice(offset, rows * outW), dw, db, rows, inW, outW);
        Parity.AssertClose(ey, Parity.Down(Cpu, y), "forward");
        Parity.AssertClose(ew, Parity.Down(Cpu, dw), "dW");
        Parity.AssertClose(eb, Parity.Down(Cpu, db), "db");
    }

    [Test]
    public void AdamRefusesStepZero()
    {
        using var buf = Cpu.Allocate<float>(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => Cpu.AdamStep(buf, buf, buf, buf, 2, 0.1f, 0.9f, 0.999f, 1e-7f, 0, 1f));
    }
}
