using GpuSiamese.Kernels.Reference;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class OptimizersTests
{
    static readonly int[] Sizes = [1, 7, 1000, 41410];

    [Test]
    public void AdamMatchesReferenceOverSeveralSteps([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [ValueSource(nameof(Sizes))] int n)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n);
        var p = Parity.Random(rng, n); var m = new double[n]; var v = new double[n];
        var ep = D(p);
        using var bp = Up(b, p); using var bm = b.Allocate<float>(n); using var bv = b.Allocate<float>(n);
        for (int t = 1; t <= 3; t++)
        {
            var g = Parity.Random(rng, n);
            Optimizers.Adam(ep, D(g), m, v, n, 0.01, 0.9, 0.999, 1e-7, t, 0.5);
            using var bg = Up(b, g);
            b.AdamStep(bp, bg, bm, bv, n, 0.01f, 0.9f, 0.999f, 1e-7f, t, 0.5f);
        }
        AssertClose(ep, Down(b, bp), "Adam p", 1e-5, 1e-5);
        AssertClose(m, Down(b, bm), "Adam m");
        AssertClose(v, Down(b, bv), "Adam v");
    }

    [Test]
    public void RmsPropMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [ValueSource(nameof(Sizes))] int n)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n + 1);
        var p = Parity.Random(rng, n); var s = new double[n]; var ep = D(p);
        using var bp = Up(b, p); using var bs = b.Allocate<float>(n);
        for (int t = 1; t <= 3; t++)
        {
            var g = Parity.Random(rng, n);
            Optimizers.RmsProp(ep, D(g), s, n, 0.001, 0.9, 1e-7, 1.0);
            using var bg = Up(b, g);
            b.RmsPropStep(bp, bg, bs, n, 0.001f, 0.9f, 1e-7f, 1f);
        }
        AssertClose(ep, Down(b, bp), "RMSprop p");
        AssertClose(s, Down(b, bs), "RMSprop s");
    }

    [Test]
    public void SgdMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [ValueSource(nameof(Sizes))] int n, [Values(0f, 0.9f)] float momentum, [Values] bool nesterov)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n + 2);
        var p = Parity.Random(rng, n); var u = new double[n]; var ep = D(p);
        using var bp = Up(b, p); using var bu = b.Allocate<float>(n);
        for (int t = 1; t <= 3; t++)
        {
            var g = Parity.Random(rng, n);
            Optimizers.Sgd(ep, D(g), u, n, 0.05, momentum, nesterov, 0.7);
            using var bg = Up(b, g);
            b.SgdStep(bp, bg, bu, n, 0.05f, momentum, nesterov, 0.7f);
        }
        AssertClose(ep, Down(b, bp), "SGD p");
        AssertClose(u, Down(b, bu), "SGD u");
    }
}
