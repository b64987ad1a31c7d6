using GpuSiamese.Kernels;
using static GpuSiamese.Tests.Kernels.Parity;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Kernels;

/// <summary>Activations as layers of their own (ReLU, sigmoid, tanh), forward and backward, against the reference on every backend.</summary>
[TestFixture]
public class ActivationsTests
{
    static readonly int[] Sizes = [1, 7, 127, 41_410, 100_001];

    static readonly Activation[] Functions = [Activation.Relu, Activation.Sigmoid, Activation.Tanh];

    [Test]
    public void ForwardMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [ValueSource(nameof(Sizes))] int n, [ValueSource(nameof(Functions))] Activation act)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n);
        // Wide inputs: sigmoid and tanh saturate at both ends (e^40 overflows nothing in float's formulas).
        var x = Parity.Random(rng, n, 40);
        for (int i = 0; i < Math.Min(n, 64); i++) x[i] = (float)(rng.NextDouble() * 4 - 2);
        var expected = new double[n];
        Ref.Activations.Forward(D(x), expected, n, act);
        using var bx = Up(b, x);
        using var by = Up(b, Parity.Random(rng, n, 9));
        b.ActivationForward(bx, by, n, act);
        AssertClose(expected, Down(b, by), "y");
    }

    [Test]
    public void BackwardMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [ValueSource(nameof(Sizes))] int n, [Values(Activation.Sigmoid, Activation.Tanh)] Activation act)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n + 3);
        var x = Parity.Random(rng, n, 3);
        var y = new double[n];
        Ref.Activations.Forward(D(x), y, n, act);
        var dy = Parity.Random(rng, n, 2);
        var expected = D(dy);
        Ref.Dense.ActivationBackward(y, expected, n, act);
        using var by = Up(b, Array.ConvertAll(y, v => (float)v));
        using var bdy = Up(b, dy);
        b.ActivationBackward(by, bdy, n, act);
        AssertClose(expected, Down(b, bdy), "dy");
    }

    [Test]
    public void TheReferenceGivesHandWorkedValues()
    {
        var y = new double[3];
        Ref.Activations.Forward([0, Math.Log(3), -2], y, 3, Activation.Sigmoid);
        Assert.That(y, Is.EqualTo(new[] { 0.5, 0.75, 1 / (1 + Math.Exp(2)) }).Within(1e-15));
        var d = new[] { 1.0, 2.0, 1.0 };
        Ref.Activations.Backward([0.5, 0.75, 0.0], d, 3, Activation.Sigmoid);
        Assert.That(d, Is.EqualTo(new[] { 0.25, 2 * 0.1875, 0 }).Within(1e-15), "sigmoid' = y(1 - y)");
        Ref.Activations.Forward([0, 0.5, -0.5], y, 3, Activation.Tanh);
        Assert.That(y, Is.EqualTo(new[] { 0, Math.Tanh(0.5), -Math.Tanh(0.5) }).Within(1e-15));
        d = [3.0, 1.0, 1.0];
        Ref.Activations.Backward([0, 0.5, -1], d, 3, Activation.Tanh);
        Assert.That(d, Is.EqualTo(new[] { 3, 0.75, 0 }).Within(1e-15), "tanh' = 1 - y²");
    }
}
