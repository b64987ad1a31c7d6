using GpuSiamese.Kernels.Reference;
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
