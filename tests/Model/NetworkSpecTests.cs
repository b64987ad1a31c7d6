using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Tests.Model;

/// <summary>The --layers spelling: dense widths as before, layer lists with convolutions and max-pools, their checkpoints.</summary>
public class NetworkSpecTests
{
    const string Comparison = "1x14x14,c32k3,p,c64k3,p,f,128,32l";

    [Test]
    public void WidthsMeanWhatTheyAlwaysMeant()
    {
        var c = NetworkSpec.Parse("196,200,10");
        Assert.That(c, Is.EqualTo(NetworkConfig.Default));
        Assert.That(c.LayerList, Is.Null);
        Assert.That(NetworkSpec.Parse("196,64,8", reluOnOutput: false), Is.EqualTo(new NetworkConfig([196, 64, 8], reluOnOutput: false)));
    }

    [Test]
    public void TheComparisonNetworkHasTheIssuesShapesAndParameters()
    {
        var c = NetworkSpec.Parse(Comparison);
        Assert.That(c.Layers.Select(l => l.Output.ToString()), Is.EqualTo(new[] { "32x14x14", "32x7x7", "64x7x7", "64x3x3", "128", "32" }));
        Assert.That(c.Layers[0], Is.EqualTo(new Conv2dLayer(new LayerShape(1, 14, 14), 32, 3, ConvPadding.Same, Activation.Relu)));
        Assert.That(c.Layers[4], Is.EqualTo(new DenseLayer(576, 128, Activation.Relu)));
        Assert.That(c.Layers[5], Is.EqualTo(new DenseLayer(128, 32, Activation.Identity)));
        // conv1 9·32 + 32, conv2 9·32·64 + 64, dense 576·128 + 128, 128·32 + 32
        Assert.That(c.ParameterCount, Is.EqualTo(320 + 18_496 + 73_856 + 4_128));
        Assert.That((c.OutputWidth, c.ReluOnOutput, c.LayerList), Is.EqualTo((32, false, Comparison)));
    }

    [TestCase("1x14x14,C8K5V,P,F,10", "1x14x14,c8k5v,p,f,10")]
    [TestCase("1x14x14 , c4k1l , f , 7l", "1x14x14,c4k1l,f,7l")]
    [TestCase("196,20l,5", "196,20l,5")]
    public void ALayerListReadsBackAsItsCanonicalSpelling(string given, string canonical)
    {
        var c = NetworkSpec.Parse(given);
        Assert.That(c.LayerList, Is.EqualTo(canonical));
        Assert.That(NetworkSpec.Parse(c.LayerList!), Is.EqualTo(c));
    }

    [TestCase("1x14x14,c8k3,10", "'10'", "needs 'f'")]
    [TestCase("1x14x14,c8k4,p,f,10", "'c8k4'", "odd kernel")]
    [TestCase("1x14x14,c8k15v,f,10", "'c8k15v'", "does not fit")]
    [TestCase("1x14x14,f,p,10", "'p'", "needs an image")]
    [TestCase("1x14x14,c8k3,p", "", "embedding must be a vector")]
    [TestCase("1x14x14,c8x3,f,10", "'c8x3'", "cNkK")]
    [TestCase("1x14x14,f,0", "'0'", "dense width")]
    public void MistakesNameTheOptionAndTheEntry(string spec, string token, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => NetworkSpec.Parse(spec))!;
        Assert.That(e.Message, Does.StartWith($"--layers '{spec}'").And.Contain(token).And.Contain(why));
    }

    const string ResNet18 = "3x64x64,c64k7s2l,p3s2p1,r64,r64,r128s2,r128,r256s2,r256,r512s2,r512,bn,relu,gap,128l,sigmoid";

    [Test]
    public void ResNet18v2HasTheShapesAndParametersOfTheArchitecture()
    {
        var c = NetworkSpec.Parse(ResNet18);
        Assert.That(c.LayerList, Is.EqualTo(ResNet18), "blocks keep their short spelling");
        Assert.That(NetworkSpec.Parse(c.LayerList!), Is.EqualTo(c));
        // Stem 7x7/2 to 32x32, pool 3/2/1 to 16x16, stages at 16, 8, 4, 2 pixels, global pool to 512, dense 128, sigmoid.
        Assert.That(c.Layers[0].Output.ToString(), Is.EqualTo("64x32x32"));
        Assert.That(c.Layers[1].Output.ToString(), Is.EqualTo("64x16x16"));
        Assert.That(c.Layers.OfType<AddLayer>().Select(a => a.Output.ToString()),
            Is.EqualTo(new[] { "64x16x16", "64x16x16", "128x8x8", "128x8x8", "256x4x4", "256x4x4", "512x2x2", "512x2x2" }));
        Assert.That(c.Layers[^1], Is.EqualTo(new ActivationLayer(LayerShape.Vector(128), Activation.Sigmoid)));
        // Convolution weights as in the paper (3x3 pairs per block, three 1x1 projections), the stem with its bias, the dense head,
        // and two values per channel of each batch norm (two per block, the final one).
        long conv = 7 * 7 * 3 * 64 + 64 + 4 * 9 * 64 * 64
            + 9 * 64 * 128 + 3 * 9 * 128 * 128 + 64 * 128
            + 9 * 128 * 256 + 3 * 9 * 256 * 256 + 128 * 256
            + 9 * 256 * 512 + 3 * 9 * 512 * 512 + 256 * 512;
        // Each block normalises its input's channels and its middle's; the final norm its 512.
        long norms = 2 * ((64 + 64) + (64 + 64) + (64 + 128) + (128 + 128) + (128 + 256) + (256 + 256) + (256 + 512) + (512 + 512) + 512);
        Assert.That(c.ParameterCount, Is.EqualTo(conv + norms + 512 * 128 + 128));
        Assert.That(c.StateCount, Is.EqualTo(norms), "a running mean and variance per scale and shift");
    }

    [Test]
    public void AResidualBlockAddsItsInputOrAProjectionOfItsPreActivation()
    {
        var identity = NetworkSpec.Parse("1x8x8,c4k3l,r4,bn,relu,gap,2l");
        // c4k3l, then r4 = bn, relu, conv, bn, relu, conv and the add of the last conv and the block's input (layer 0).
        var add = identity.Layers.Select((l, i) => (l, i)).Single(p => p.l is AddLayer).i;
        Assert.That(identity.InputsOf(add), Is.EqualTo(new[] { add - 1, 0 }));
        Assert.That(identity.InputsOf(1), Is.EqualTo(new[] { 0 }));

        var projected = NetworkSpec.Parse("1x8x8,c4k3l,r6s2,bn,relu,gap,2l");
        var layers = projected.Layers;
        int projection = layers.Select((l, i) => (l, i)).Single(p => p.l is Conv2dLayer { Kernel: 1 }).i;
        Assert.That(layers[projection], Is.EqualTo(new Conv2dLayer(new LayerShape(4, 8, 8), 6, 1, ConvPadding.Same, Activation.Identity, stride: 2, bias: false)));
        Assert.That(projected.InputsOf(projection), Is.EqualTo(new[] { 2 }), "the shortcut reads the block's shared pre-activation (bn, relu)");
        Assert.That(projected.InputsOf(projection + 1), Is.EqualTo(new[] { projection - 1, projection }));

        // A post-activation (v1) block ending in a batch norm gets a batch norm on its projection too.
        var v1 = NetworkSpec.Parse("1x8x8,[c6k3s2nl,bn,relu,c6k3nl,bn],relu,gap,2l");
        Assert.That(v1.LayerList, Is.EqualTo("1x8x8,[c6k3s2nl,bn,relu,c6k3nl,bn],relu,gap,2l"));
        Assert.That(v1.Layers.Count(l => l is BatchNormLayer), Is.EqualTo(3));
        Assert.That(v1.InputsOf(5), Is.EqualTo(new[] { -1 }), "the projection reads the image: the block starts with its convolution");
    }

    [TestCase("1x8x8,[c4k3,[c4k3]],f,2", "cannot hold another block")]
    [TestCase("1x8x8,[c4k3,c4k3", "not closed")]
    [TestCase("1x8x8,c4k3],f,2", "closes no block")]
    [TestCase("1x8x8,f,[16],2", "not a flattened image")]
    [TestCase("1x8x8,[c4k3v],f,2", "no 1x1 stride-1 projection")]
    [TestCase("1x8x8,p9s2,f,2", "does not fit")]
    [TestCase("1x8x8,p3s2p2,f,2", "half the kernel")]
    [TestCase("1x8x8,bn:2:0.1,f,2", "momentum")]
    [TestCase("1x8x8,c4k3s0,f,2", "stride must be at least 1")]
    public void BlockAndNewKindMistakesNameTheOptionAndWhy(string spec, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => NetworkSpec.Parse(spec))!;
        Assert.That(e.Message, Does.StartWith($"--layers '{spec}'").And.Contain(why));
    }

    [TestCase("1x14x14,C8K3S2NL,BN:0.01:0.001,P3S2P1,GAP,10", "1x14x14,c8k3s2nl,bn:0.01:0.001,p3s2p1,gap,10")]
    [TestCase("1x14x14,c8k3ln,p2s2,relu,f,10", "1x14x14,c8k3nl,p,relu,f,10")]
    [TestCase("1x14x14,c4k3,[ bn , tanh ],f,5", "1x14x14,c4k3,[bn,tanh],f,5")]
    public void NewKindsReadBackAsTheirCanonicalSpelling(string given, string canonical)
    {
        var c = NetworkSpec.Parse(given);
        Assert.That(c.LayerList, Is.EqualTo(canonical));
        Assert.That(NetworkSpec.Parse(c.LayerList!), Is.EqualTo(c));
    }

    [Test]
    public void ConvLayersAreHeInitialisedWithFanInOfChannelsTimesKernelArea()
    {
        var layer = new Conv2dLayer(new LayerShape(32, 7, 7), 64, 3, ConvPadding.Same, Activation.Relu);
        var p = new float[layer.ParameterCount];
        layer.Initialize(p, new Rng(5));
        float bound = MathF.Sqrt(6f / (32 * 9));
        var w = p[..(9 * 32 * 64)];
        Assert.That(w.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.95f * bound));
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-0.95f * bound));
        Assert.That(p[(9 * 32 * 64)..], Is.All.EqualTo(0f), "biases start at zero");
    }

    [Test]
    public void ACheckpointOfAConvNetworkRoundTrips()
    {
        string dir = Directory.CreateTempSubdirectory("gpusiamese-spec-").FullName;
        try
        {
            var network = NetworkSpec.Parse(Comparison);
            var training = new TrainingConfig { Network = network, Loss = LossKind.ContrastiveMargin, Margin = 2 };
            var parameters = Network.Initialize(network, new Rng(3));
            string path = Path.Combine(dir, "cnn.ckpt");
            CheckpointFile.Save(path, new Checkpoint(network, training, parameters, 0.5, null));
            var back = CheckpointFile.Load(path);
            Assert.That(back.Network, Is.EqualTo(network));
            Assert.That(back.Training, Is.EqualTo(training));
            Assert.That(back.Parameters, Is.EqualTo(parameters));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void AVersion2CheckpointStillLoads()
    {
        // A version-3 file of a widths network rewritten the way version 2 wrote it (the network as int32 count, widths and
        // the output-ReLU flag; the training block as fixed fields), the header's version and the payload's hash made to match.
        string dir = Directory.CreateTempSubdirectory("gpusiamese-spec-").FullName;
        try
        {
            var network = new NetworkConfig([196, 6, 3], reluOnOutput: false);
            var training = new TrainingConfig { Network = network };
            var parameters = Network.Initialize(network, new Rng(2));
            string path = Path.Combine(dir, "v3.ckpt");
            var saved = new Checkpoint(network, training, parameters, 0.25, null);
            CheckpointFile.Save(path, saved);
            byte[] file = File.ReadAllBytes(path);
            string old = Path.Combine(dir, "v2.ckpt");
            File.WriteAllBytes(old, LegacyCheckpoint.Rewrite(file, saved, version: 2));
            var back = CheckpointFile.Load(old);
            Assert.That(back.Network, Is.EqualTo(network));
            Assert.That(back.Parameters, Is.EqualTo(parameters));
            Assert.That(back.Threshold, Is.EqualTo(0.25));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void AConvNetworkTrainsAnEpochWithItsMonitoring([Values("simd", "reference")] string backendName)
    {
        // Two steps and the epoch's validation scoring: the layer walk with conv and max-pool layers, forward and backward.
        var set = SyntheticDigits.Create(perDigit: 6, seed: 1);
        var config = new TrainingConfig
        {
            Network = NetworkSpec.Parse("1x14x14,c4k3,p,c6k3,p,f,12,5l"),
            Loss = LossKind.ContrastiveMargin, Margin = 2, BatchPairs = 8, PairsPerEpoch = 16, Epochs = 1, MonitorPairs = 20,
        };
        using IBackend backend = backendName == "simd" ? new SimdBackend(threads: 2) : new ReferenceBackend();
        using var trainer = new Trainer(backend, config, set, set, new Rng(7));
        var before = trainer.Network.DownloadParameters();
        trainer.Train();
        var after = trainer.Network.DownloadParameters();
        Assert.That(after, Is.Not.EqualTo(before), "the parameters moved");
        Assert.That(after.All(float.IsFinite), "finite parameters");
    }
}
