using GpuSiamese.Kernels.Reference;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class ContrastiveLossTests
{
    [Test]
    public void LossesMatchReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 3, 127, 128)] int count, [Values(LossKind.ContrastiveBounded, LossKind.ContrastiveMargin)] LossKind kind, [Values(0.5f, 1f, 5f, 20f)] float parameter)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(count * 3 + (int)kind);
        var dist = Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 3)).ToArray();
        var labels = Enumerable.Range(0, count).Select(_ => rng.Next(2)).ToArray();
        var el = new double[count];
        var eg = new double[count];
        if (kind == LossKind.ContrastiveBounded)
        {
            ContrastiveLoss.BoundedForward(D(dist), labels, el, count, parameter);
            ContrastiveLoss.BoundedBackward(D(dist), labels, eg, count, parameter);
        }
        else
        {
            ContrastiveLoss.MarginForward(D(dist), labels, el, count, parameter);
            ContrastiveLoss.MarginBackward(D(dist), labels, eg, count, parameter);
        }
        using var bd = Up(b, dist); using var bl = Up(b, labels);
        using var loss = b.Allocate<float>(count); using var dd = b.Allocate<float>(count);
        b.PairLoss(kind, parameter, bd, bl, loss, dd, count);
        AssertClose(el, Down(b, loss), "loss");
        AssertClose(eg, Down(b, dd), "dL/dE");
    }

    [Test]
    public void BoundedLossFormulaByHand()
    {
        // Independent of the reference: Q = 5, E = 1.5; same → 2/5·2.25 = 0.9; different → 10·exp(−0.831).
        var loss = new double[2];
        ContrastiveLoss.BoundedForward([1.5, 1.5], [0, 1], loss, 2, 5);
        Assert.That(loss[0], Is.EqualTo(0.9).Within(1e-12));
        Assert.That(loss[1], Is.EqualTo(10 * Math.Exp(-2.77 * 1.5 / 5)).Within(1e-12));
    }

    [Test]
    public void ReferenceBackwardIsTheDerivativeOfForward([Values(LossKind.ContrastiveBounded, LossKind.ContrastiveMargin)] LossKind kind)
    {
        var rng = new Random(1);
        for (int t = 0; t < 200; t++)
        {
            double e = rng.NextDouble() * 4 + 0.01, q = rng.NextDouble() * 10 + 0.1, h = 1e-6;
            int y = rng.Next(2);
            double F(double x)
            {
                var l = new double[1];
                if (kind == LossKind.ContrastiveBounded) ContrastiveLoss.BoundedForward([x], [y], l, 1, q);
                else ContrastiveLoss.MarginForward([x], [y], l, 1, q);
                return l[0];
            }
            var g = new double[1];
            if (kind == LossKind.ContrastiveBounded) ContrastiveLoss.BoundedBackward([e], [y], g, 1, q);
            else ContrastiveLoss.MarginBackward([e], [y], g, 1, q);
            if (kind == LossKind.ContrastiveMargin && Math.Abs(e - q) < 1e-4) continue; // kink
            Assert.That(g[0], Is.EqualTo((F(e + h) - F(e - h)) / (2 * h)).Within(1e-5 + 1e-5 * Math.Abs(g[0])));
        }
    }
}
