using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Reference;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class DenseTests
{
    static IEnumerable<TestCaseData> Shapes()
    {
        foreach (var r in Rows)
            foreach (var (i, o) in new[] { (196, 200), (200, 10), (7, 1), (1, 7), (10, 196), (200, 200), (196, 128) })
                yield return new TestCaseData(r, i, o);
        // Large enough for SimdBackend's packed path (Dense.Packs), off every tile and block: forward and dX
        // (k·n = 517·263) in the first, dW (rows·outW = 521·263) in the second.
        yield return new TestCaseData(137, 517, 263);
        yield return new TestCaseData(521, 37, 263);
    }

    static IEnumerable<TestCaseData> Cases() =>
        from c in BackendCases.All()
        from s in Shapes()
        select new TestCaseData(c, s.Arguments[0], s.Arguments[1], s.Arguments[2]);

    [TestCaseSource(nameof(Cases))]
    public void ForwardMatchesReference(BackendCase c, int rows, int inW, int outW)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(rows * 7919 + inW * 31 + outW);
        var x = Parity.Random(rng, rows * inW);
        var w = Parity.Random(rng, inW * outW, 0.2);
        var bias = Parity.Random(rng, outW, 0.5);
        foreach (var act in new[] { Activation.Identity, Activation.Relu })
        {
            var expected = new double[rows * outW];
            Dense.Forward(D(x), D(w), D(bias), expected, rows, inW, outW, act);
            using var bx = Up(b, x); using var bw = Up(b, w); using var bb = Up(b, bias);
            using var y = b.Allocate<float>(rows * outW);
            b.DenseForward(bx, bw, bb, y, rows, inW, outW, act);
            AssertClose(expected, Down(b, y), $"forward {act}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardDataMatchesReference(BackendCase c, int rows, int inW, int outW)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(rows * 7 + inW * 131 + outW);
        var dy = Parity.Random(rng, rows * outW);
        var w = Parity.Random(rng, inW * outW, 0.2);
        var expected = new double[rows * inW];
        Dense.BackwardData(D(dy), D(w), expected, rows, inW, outW);
        using var bdy = Up(b, dy); using var bw = Up(b, w);
        using var dx = b.Allocate<float>(rows * inW);
        b.DenseBackwardData(bdy, bw, dx, rows, inW, outW);
        AssertClose(expected, Down(b, dx), "dX");
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardWeightsMatchesReference(BackendCase c, int rows, int inW, int outW)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(rows * 17 + inW * 3 + outW * 1009);
        var x = Parity.Random(rng, rows * inW);
        var dy = Parity.Random(rng, rows * outW);
        var ew = new double[inW * outW];
        var eb = new double[outW];
        Dense.BackwardWeights(D(x), D(dy), ew, eb, rows, inW, outW);
        using var bx = Up(b, x); using var bdy = Up(b, dy);
        // Pre-filled with garbage: backward overwrites, it never accumulates.
        using var dw = Up(b, Parity.Random(rng, inW * outW, 100));
        using var db = Up(b, Parity.Random(rng, outW, 100));
        b.DenseBackwardWeights(bx, bdy, dw, db, rows, inW, outW);
        AssertClose(ew, Down(b, dw), "dW");
        AssertClose(eb, Down(b, db), "db");
    }

    [Test]
    public void ActivationBackwardMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 7, 1000, 25600)] int n, [Values(Activation.Identity, Activation.Relu)] Activation act)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n);
        var y = Parity.Random(rng, n);
        for (int k = 0; k < n; k += 5) y[k] = 0; // ReLU outputs are exactly zero where inactive
        var dy = Parity.Random(rng, n);
        var expected = D(dy);
        Dense.ActivationBackward(D(y), expected, n, act);
        using var by = Up(b, y); using var bdy = Up(b, dy);
        b.ActivationBackward(by, bdy, n, act);
        AssertClose(expected, Down(b, bdy), $"act' {act}", 0, 0);
    }

    [Test]
    public void SlicesAddressTheirOwnElements([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        // Parameters live in one flat buffer; layers see slices of it. A kernel must honour the offset.
        using var b = BackendCases.Open(c);
        var rng = new Random(5);
        int rows = 3, inW = 7, outW = 10;
        var x = Parity.Random(rng, rows * inW);
        var flat = Parity.Random(rng, 5 + inW * outW + outW);
        var expected = new double[rows * outW];
        Dense.Forward(D(x), D(flat[5..(5 + inW * outW)]), D(flat[(5 + inW * outW)..]), expected, rows, inW, outW, Activation.Relu);
        using var bx = Up(b, x); using var bf = Up(b, flat);
        using var y = b.Allocate<float>(rows * outW + 4);
        b.DenseForward(bx, bf.Slice(5, inW * outW), bf.Slice(5 + inW * outW, outW), y.Slice(4, rows * outW), rows, inW, outW, Activation.Relu);
        var got = Down(b, y);
        Assert.That(got[..4], Is.All.EqualTo(0f), "elements before the slice untouched");
        AssertClose(expected, got[4..], "forward through slices");
    }
}
