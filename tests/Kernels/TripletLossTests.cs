using GpuSiamese.Kernels.Reference;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class TripletLossTests
{
    const float Eps = 1e-7f;

    [Test]
    public void ForwardAndBackwardMatchReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 3, 127, 128)] int triplets, [Values(1, 7, 10, 200)] int dim, [Values(0f, 1f)] float margin)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(triplets * 31 + dim + (int)margin);
        var emb = Fixture(rng, triplets, dim);
        var el = new double[triplets];
        var eg = new double[3 * triplets * dim];
        TripletLoss.Forward(D(emb), el, triplets, dim, margin, Eps);
        TripletLoss.Backward(D(emb), eg, triplets, dim, margin, Eps);

        using var be = Up(b, emb);
        using var loss = Up(b, Parity.Random(rng, triplets, 100));
        using var dEmb = Up(b, Parity.Random(rng, 3 * triplets * dim, 100)); // stale values: the op must overwrite them
        b.TripletLoss(be, loss, dEmb, triplets, dim, margin, Eps);
        AssertClose(el, Down(b, loss), "loss");
        var g = Down(b, dEmb);
        // Each gradient is a difference of two unit vectors of float distances, divided by T: the same
        // 1e-5 + |ref|·1e-4 PairDistanceTests allows for its (a − b)/E.
        AssertClose(eg, g, "dEmb", 1e-5, 1e-4);
        for (int t = 0; t < triplets; t++)
            if (t % 4 == 0 && margin == 0f)
                Assert.That(RowsOf(g, t, triplets, dim).All(v => v == 0f), Is.True, $"triplet {t} sits exactly on the hinge: zero gradient");
    }

    /// <summary>
    /// Random triplets, and special rows: t % 4 == 0 has p == n (d(a,p) − d(a,n) = 0 exactly: on the hinge when margin = 0),
    /// t % 4 == 1 has a == p (d(a,p) clamped to sqrt(eps)), t % 4 == 2 has a == n (d(a,n) clamped).
    /// </summary>
    static float[] Fixture(Random rng, int triplets, int dim)
    {
        var emb = Parity.Random(rng, 3 * triplets * dim);
        for (int t = 0; t < triplets; t++)
            for (int k = 0; k < dim; k++)
            {
                float a = emb[t * dim + k];
                switch (t % 4)
                {
                    case 0: emb[(2 * triplets + t) * dim + k] = emb[(triplets + t) * dim + k]; break;
                    case 1: emb[(triplets + t) * dim + k] = a; break;
                    case 2: emb[(2 * triplets + t) * dim + k] = a; break;
                }
            }
        return emb;
    }

    static IEnumerable<float> RowsOf(float[] g, int t, int triplets, int dim) =>
        new[] { t, triplets + t, 2 * triplets + t }.SelectMany(r => g.Skip(r * dim).Take(dim));

    [Test]
    public void ReferenceLossIsTheHingeOfTheDistanceDifference()
    {
        // a = 0, p = (3, 4): d(a,p) = 5; n = (0, 2): d(a,n) = 2; margin 1 → 5 − 2 + 1 = 4. Second triplet: below the hinge.
        double[] emb = [0, 0, 1, 1, /* p */ 3, 4, 1, 1.5, /* n */ 0, 2, 1, 4];
        var loss = new double[2];
        TripletLoss.Forward(emb, loss, 2, 2, 1.0, 1e-7);
        Assert.That(loss[0], Is.EqualTo(4.0).Within(1e-12));
        Assert.That(loss[1], Is.EqualTo(0.0));
    }

    [Test]
    public void ReferenceBackwardMatchesCentralDifferencesOfTheMeanLoss()
    {
        const int triplets = 5, dim = 6;
        const double margin = 0.5, h = 1e-6;
        var rng = new Random(7);
        var emb = D(Parity.Random(rng, 3 * triplets * dim));
        var analytic = new double[emb.Length];
        TripletLoss.Backward(emb, analytic, triplets, dim, margin, 1e-7);
        var loss = new double[triplets];
        double Mean(double[] e)
        {
            TripletLoss.Forward(e, loss, triplets, dim, margin, 1e-7);
            return loss.Average();
        }
        Assert.That(loss.Length, Is.EqualTo(triplets));
        TripletLoss.Forward(emb, loss, triplets, dim, margin, 1e-7);
        Assert.That(loss.Count(l => l > 0), Is.InRange(1, triplets - 1), "the fixture has triplets on both sides of the hinge");
        for (int i = 0; i < emb.Length; i++)
        {
            double keep = emb[i];
            emb[i] = keep + h;
            double plus = Mean(emb);
            emb[i] = keep - h;
            double minus = Mean(emb);
            emb[i] = keep;
            Assert.That(analytic[i], Is.EqualTo((plus - minus) / (2 * h)).Within(1e-6), $"dEmb[{i}]");
        }
    }
}
