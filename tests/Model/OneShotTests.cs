using GpuSiamese.Data;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class OneShotTests
{
    static readonly ImageSet Set = SyntheticDigits.Create(perDigit: 6, seed: 21, noise: 0.2);

    [TestCase(2)]
    [TestCase(5)]
    [TestCase(10)]
    public void AllEqualDistancesScoreExactlyChance(int ways)
    {
        // Zero weights and biases: every image embeds to 0, every distance is sqrt(eps), every trial an N-way tie.
        using var backend = new ReferenceBackend();
        var config = new NetworkConfig([196, 4, 3]);
        using var net = new Network(backend, config, new float[config.ParameterCount]);
        using var evaluator = new Evaluator(net);
        var r = OneShot.Evaluate(evaluator, Set, ways, 200, new Rng(1));
        Assert.That(r.Accuracy, Is.EqualTo(1.0 / ways).Within(1e-12));
        Assert.That((r.Low, r.High), Is.EqualTo((1.0 / ways, 1.0 / ways)).Using<(double, double)>((a, b) =>
            Math.Abs(a.Item1 - b.Item1) < 1e-12 && Math.Abs(a.Item2 - b.Item2) < 1e-12));
    }

    [Test]
    public void IdentityLikeEmbeddingOfSeparableDigitsIsNearlyAlwaysRightAndSeeded()
    {
        // 196-196 with W = I and ReLU: the embedding is the image itself; low-noise prototypes are far apart.
        using var backend = new ReferenceBackend();
        var config = new NetworkConfig([196, 196]);
        var theta = new float[config.ParameterCount];
        for (int i = 0; i < 196; i++) theta[i * 196 + i] = 1;
        using var net = new Network(backend, config, theta);
        using var evaluator = new Evaluator(net);
        var r = OneShot.Evaluate(evaluator, Set, 10, 300, new Rng(3));
        Assert.That(r.Accuracy, Is.GreaterThan(0.95));
        Assert.That(r.Low, Is.LessThanOrEqualTo(r.Accuracy));
        Assert.That(r.High, Is.GreaterThanOrEqualTo(r.Accuracy));
        Assert.That(OneShot.Evaluate(evaluator, Set, 10, 300, new Rng(3)), Is.EqualTo(r));
    }

    [Test]
    public void BadOptionsAreNamed()
    {
        using var backend = new ReferenceBackend();
        var config = new NetworkConfig([196, 2]);
        using var net = new Network(backend, config, new float[config.ParameterCount]);
        using var evaluator = new Evaluator(net);
        Assert.That(() => OneShot.Evaluate(evaluator, Set, 11, 10, new Rng(1)), Throws.ArgumentException.With.Message.Contains("--ways"));
        Assert.That(() => OneShot.Evaluate(evaluator, Set, 5, 0, new Rng(1)), Throws.ArgumentException.With.Message.Contains("--trials"));
    }
}
