using GpuSiamese.Model;
using GpuSiamese.Tests.Model;
using static GpuSiamese.Tests.Kernels.Parity;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class WeightDecayTests
{
    [Test]
    public void DecayMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 7, 127, 41_410, 100_001)] int n, [Values(1e-4f, 0.3f)] float rate)
    {
        using var b = BackendCases.Open(c);
        var p = Parity.Random(new Random(n), n, 3);
        var expected = D(p);
        Ref.WeightDecay.Apply(expected, n, rate);
        using var bp = Up(b, p);
        b.WeightDecay(bp, n, rate);
        AssertClose(expected, Down(b, bp), "p");
    }

    [Test]
    public void TheReferenceShrinksByTheRate()
    {
        // Worked by hand: rate 0.001 keeps 0.999 of each value.
        var p = new[] { 1.0, -2.0, 0.5, 0.0 };
        Ref.WeightDecay.Apply(p, p.Length, 0.001);
        Assert.That(p, Is.EqualTo(new[] { 0.999, -1.998, 0.4995, 0.0 }).Within(1e-15));
    }

    /// <summary>The Model's backends and the tests' reference backend, for the optimizer's own steps.</summary>
    static IEnumerable<BackendCase> WithReference() =>
        BackendCases.All().Prepend(new BackendCase("reference", () => new ReferenceBackend(), null));

    [Test]
    public void OneAdamWStepGivesTheHandWorkedValue([ValueSource(nameof(WithReference))] BackendCase c)
    {
        // p = 1, g = 0.5, lr = 0.1, λ = 0.1, t = 1: the decay leaves 1 − 0.1·0.1 = 0.99; m̂ = 0.5, v̂ = 0.25, so Adam's
        // step is 0.1·0.5 / (0.5 + 1e-7) = 0.09999998, and p = 0.89000002.
        double p = Step(c, new TrainingConfig { Optimizer = OptimizerKind.Adam, WeightDecay = 0.1 }, 1f, 0.5f, 0.1);
        Assert.That(p, Is.EqualTo(0.89000002).Within(1e-6));
    }

    [Test]
    public void OneSgdStepDecaysBeforeTheUpdate([ValueSource(nameof(WithReference))] BackendCase c)
    {
        // p = 2, g = 0.5, lr = 0.1, λ = 0.5, momentum 0: decay to 2 − 0.05·2 = 1.9, then 1.9 − 0.1·0.5 = 1.85.
        double p = Step(c, new TrainingConfig { Optimizer = OptimizerKind.Sgd, Momentum = 0, WeightDecay = 0.5 }, 2f, 0.5f, 0.1);
        Assert.That(p, Is.EqualTo(1.85).Within(1e-6));
    }

    [Test]
    public void OneRmsPropStepDecaysBeforeTheUpdate([ValueSource(nameof(WithReference))] BackendCase c)
    {
        // p = 2, g = 0.5, lr = 0.01, λ = 1, ρ = 0.9: decay to 2 − 0.01·2 = 1.98; s = 0.1·0.25 = 0.025,
        // step 0.01·0.5 / (sqrt(0.025) + 1e-7) = 0.0316227..., p = 1.9483772.
        double p = Step(c, new TrainingConfig { Optimizer = OptimizerKind.RmsProp, WeightDecay = 1 }, 2f, 0.5f, 0.01);
        Assert.That(p, Is.EqualTo(1.98 - 0.005 / (Math.Sqrt(0.025) + 1e-7)).Within(1e-6));
    }

    [Test]
    public void WithoutDecayTheStepIsBitIdentical([ValueSource(nameof(WithReference))] BackendCase c)
    {
        double with0 = Step(c, new TrainingConfig { WeightDecay = 0 }, 1.25f, 0.5f, 0.1);
        double plain = Step(c, new TrainingConfig(), 1.25f, 0.5f, 0.1);
        Assert.That(with0, Is.EqualTo(plain));
    }

    static double Step(BackendCase c, TrainingConfig config, float p0, float g0, double lr)
    {
        using var b = BackendCases.Open(c);
        using var p = Up(b, new[] { p0 });
        using var g = Up(b, new[] { g0 });
        using var optimizer = new Optimizer(b, config, 1);
        optimizer.Step(p, g, lr, 1f);
        return Down(b, p)[0];
    }
}
