using static GpuSiamese.Tests.Kernels.Parity;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Kernels;

/// <summary>The element-wise family (a residual add, the executor's gradient sums and copies) against the reference on every backend.</summary>
[TestFixture]
public class ElementwiseTests
{
    static readonly int[] Sizes = [1, 7, 127, 41_410, 100_001];

    [Test]
    public void AddMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c, [ValueSource(nameof(Sizes))] int n)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n);
        var (a, x) = (Parity.Random(rng, n, 3), Parity.Random(rng, n, 2));
        var expected = new double[n];
        Ref.Elementwise.Add(D(a), D(x), expected, n);
        using var ba = Up(b, a);
        using var bx = Up(b, x);
        using var by = Up(b, Parity.Random(rng, n, 9));
        b.Add(ba, bx, by, n);
        AssertClose(expected, Down(b, by), "y");
    }

    [Test]
    public void AccumulateMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c, [ValueSource(nameof(Sizes))] int n)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n + 1);
        var (src, dst) = (Parity.Random(rng, n, 3), Parity.Random(rng, n, 2));
        var expected = D(dst);
        Ref.Elementwise.Accumulate(D(src), expected, n);
        using var bs = Up(b, src);
        using var bd = Up(b, dst);
        b.Accumulate(bs, bd, n);
        AssertClose(expected, Down(b, bd), "dst");
    }

    [Test]
    public void CopyIsExact([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c, [ValueSource(nameof(Sizes))] int n)
    {
        using var b = BackendCases.Open(c);
        var src = Parity.Random(new Random(n + 2), n, 5);
        using var bs = Up(b, src);
        using var bd = b.Allocate<float>(n);
        b.Copy(bs, bd, n);
        Assert.That(Down(b, bd), Is.EqualTo(src));
    }

    [Test]
    public void TheReferenceAddsAndAccumulatesByHand()
    {
        var y = new double[3];
        Ref.Elementwise.Add([1.5, -2, 0], [0.25, 2, -4], y, 3);
        Assert.That(y, Is.EqualTo(new[] { 1.75, 0, -4 }));
        Ref.Elementwise.Accumulate([1, 1, 1], y, 2);
        Assert.That(y, Is.EqualTo(new[] { 2.75, 1, -4 }), "only the first n");
    }
}
