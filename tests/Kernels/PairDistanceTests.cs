using GpuSiamese.Kernels.Reference;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class PairDistanceTests
{
    const float Eps = 1e-7f;

    [Test]
    public void ForwardAndBackwardMatchReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 3, 127, 128)] int pairs, [Values(1, 7, 10, 200)] int dim)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(pairs * 13 + dim);
        var emb = Parity.Random(rng, 2 * pairs * dim);
        // Some pairs identical: the clamp must give distance sqrt(eps) and zero gradient there.
        for (int p = 0; p < pairs; p += 3)
            for (int k = 0; k < dim; k++) emb[(pairs + p) * dim + k] = emb[p * dim + k];
        var dDist = Parity.Random(rng, pairs);
        var ed = new double[pairs];
        PairDistance.Forward(D(emb), ed, pairs, dim, Eps);
        var eg = new double[2 * pairs * dim];
        PairDistance.Backward(D(emb), ed, D(dDist), eg, pairs, dim, Eps);

        using var be = Up(b, emb);
        using var dist = b.Allocate<float>(pairs);
        b.PairDistanceForward(be, dist, pairs, dim, Eps);
        var got = Down(b, dist);
        AssertClose(ed, got, "E");
        using var bdd = Up(b, dDist);
        using var dEmb = Up(b, Parity.Random(rng, 2 * pairs * dim, 100));
        b.PairDistanceBackward(be, dist, bdd, dEmb, pairs, dim, Eps);
        var g = Down(b, dEmb);
        AssertClose(eg, g, "dEmb", 1e-5, 1e-4);
        for (int p = 0; p < pairs; p += 3)
            for (int k = 0; k < dim; k++) Assert.That(g[p * dim + k], Is.EqualTo(0f), "clamped pair has zero gradient");
    }
}
