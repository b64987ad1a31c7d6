using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Tests.Model;

public class NetworkConfigTests
{
    [Test]
    public void LayoutIsWeightsThenBiasesLayerByLayer()
    {
        var c = new NetworkConfig([196, 200, 10]);
        Assert.That(c.LayerCount, Is.EqualTo(2));
        Assert.That(c.WeightOffset(0), Is.EqualTo(0));
        Assert.That(c.BiasOffset(0), Is.EqualTo(196 * 200));
        Assert.That(c.WeightOffset(1), Is.EqualTo(196 * 200 + 200));
        Assert.That(c.BiasOffset(1), Is.EqualTo(196 * 200 + 200 + 2000));
        Assert.That(c.ParameterCount, Is.EqualTo(196 * 200 + 200 + 200 * 10 + 10));
    }

    [Test]
    public void ReluOnHiddenLayersAndOnOutputAsConfigured()
    {
        var relu = new NetworkConfig([196, 7, 5, 3], reluOnOutput: true);
        var linear = new NetworkConfig([196, 7, 5, 3], reluOnOutput: false);
        Assert.That(Enumerable.Range(0, 3).Select(relu.ActivationOf), Is.All.EqualTo(Activation.Relu));
        Assert.That(linear.ActivationOf(0), Is.EqualTo(Activation.Relu));
        Assert.That(linear.ActivationOf(1), Is.EqualTo(Activation.Relu));
        Assert.That(linear.ActivationOf(2), Is.EqualTo(Activation.Identity));
    }

    [Test]
    public void EqualityIsByShapeAndActivation()
    {
        Assert.That(new NetworkConfig([196, 200, 10]), Is.EqualTo(NetworkConfig.Default));
        Assert.That(new NetworkConfig([196, 200, 10], false), Is.Not.EqualTo(NetworkConfig.Default));
        Assert.That(new NetworkConfig([196, 128, 10]), Is.Not.EqualTo(NetworkConfig.Default));
    }

    [Test]
    public void InitialisationIsHeUniformForReluAndGlorotForLinearWithZeroBiases()
    {
        var c = new NetworkConfig([196, 50, 10], reluOnOutput: false);
        var p = Network.Initialize(c, new Rng(5));
        var w0 = p.AsSpan(c.WeightOffset(0), 196 * 50).ToArray();
        var w1 = p.AsSpan(c.WeightOffset(1), 50 * 10).ToArray();
        double he = Math.Sqrt(6.0 / 196), glorot = Math.Sqrt(6.0 / 60);
        Assert.That(w0.Max(Math.Abs), Is.LessThanOrEqualTo(he).And.GreaterThan(0.95 * he));
        Assert.That(w1.Max(Math.Abs), Is.LessThanOrEqualTo(glorot).And.GreaterThan(0.9 * glorot));
        // Uniform on (−a, a) has variance a²/3.
        double var0 = w0.Average(v => (double)v * v);
        Assert.That(var0, Is.EqualTo(he * he / 3).Within(0.05 * he * he / 3));
        Assert.That(p.AsSpan(c.BiasOffset(0), 50).ToArray(), Is.All.EqualTo(0f));
        Assert.That(p.AsSpan(c.BiasOffset(1), 10).ToArray(), Is.All.EqualTo(0f));
        Assert.That(Network.Initialize(c, new Rng(5)), Is.EqualTo(p));
        Assert.That(Network.Initialize(c, new Rng(6)), Is.Not.EqualTo(p));
    }

    [Test]
    public void NetworkSlicesViewTheFlatBuffers()
    {
        var c = new NetworkConfig([196, 3, 2]);
        var p = Enumerable.Range(0, c.ParameterCount).Select(i => (float)i).ToArray();
        using var backend = new ReferenceBackend();
        using var net = new Network(backend, c, p);
        var b1 = new float[2];
        var layer = (GpuSiamese.Model.Layers.DenseLayer)c.Layers[1];
        backend.Download(layer.Biases(net.LayerSlices(1).Values), b1);
        Assert.That(b1, Is.EqualTo(new float[] { c.BiasOffset(1), c.BiasOffset(1) + 1 }));
        Assert.That(() => new Network(backend, c, new float[5]), Throws.ArgumentException.With.Message.Contains($"{c.ParameterCount} parameters"));
    }

    [Test]
    public void WithInputRebasesTheFirstWidthOrTheLayerListsInputShape()
    {
        var dense = new NetworkConfig([196, 200, 10], reluOnOutput: false);
        Assert.That(dense.WithInput(new LayerShape(1, 14, 14)), Is.SameAs(dense));
        var wide = dense.WithInput(new LayerShape(3, 32, 32));
        Assert.That(wide.Widths, Is.EqualTo(new[] { 3072, 200, 10 }));
        Assert.That(wide.ReluOnOutput, Is.False);
        var conv = NetworkSpec.Parse("1x14x14,c32k3,p,c64k3,p,f,128,32l");
        var big = conv.WithInput(new LayerShape(3, 28, 28));
        Assert.That(big.LayerList, Is.EqualTo("3x28x28,c32k3,p,c64k3,p,f,128,32l"));
        Assert.That(big.Widths[0], Is.EqualTo(3 * 28 * 28));
        Assert.That(big.Layers[^2].Input.Size, Is.EqualTo(64 * 7 * 7), "the dense layer after flatten takes what the pools leave");
        var e = Assert.Throws<ArgumentException>(() => conv.WithInput(new LayerShape(1, 3, 3)))!;
        Assert.That(e.Message, Does.StartWith("--layers"));
    }
}
