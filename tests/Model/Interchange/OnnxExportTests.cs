using System.Diagnostics;
using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Interchange;
using GpuSiamese.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model.Interchange;

/// <summary>
/// Exported graphs run by ONNX Runtime give the double-precision reference's embeddings and distances on real MNIST
/// test images, for the exercise's network, the best preset's shape and conv networks (seeded random weights, non-zero biases: the
/// check is about the graph, not about training); models of other inputs (28x28 grey, RGB) take their own shape, preprocessing
/// and class names into the file; ONNX's own checker accepts them all where Python has onnx.
/// </summary>
[TestFixture]
public sealed class OnnxExportTests
{
    const int Batch = 64;
    float[] _images = null!;
    /// <summary>MNIST's test digits at full resolution, as <see cref="Grey28"/> makes them (byte / 255), channels last.</summary>
    float[] _grey28 = null!;
    /// <summary>Generated colour pictures as <see cref="Rgb10"/> makes them from their PNG files, channels last.</summary>
    float[] _rgb10 = null!;

    /// <summary>--input-size 28 on MNIST: the digits centred as MNIST's, no pool.</summary>
    static readonly Preprocessing Grey28 = new(new ImageShape(1, 28, 28), 1, ImageFit.Digit, InvertMode.Auto);
    /// <summary>A folder of colour images at --input-size 10 --channels 3: whole images stretched, RGB.</summary>
    static readonly Preprocessing Rgb10 = new(new ImageShape(3, 10, 10), 1, ImageFit.Stretch, InvertMode.NoInvert);

    /// <summary>
    /// Models of other inputs, dense and conv: 28x28 grey; 10x10 RGB, whose NCHW input the graph must bring to our
    /// channels-last order before a dense layer, and before a layer list's other view of the same 300 values (12x5x5).
    /// </summary>
    public static IEnumerable<TestCaseData> ShapedModels()
    {
        yield return new TestCaseData(Grey28, "784,24,8").SetArgDisplayNames("28x28 grey, dense");
        yield return new TestCaseData(Grey28, "1x28x28,c4k3,p,c6k3v,p,f,8").SetArgDisplayNames("28x28 grey, conv");
        yield return new TestCaseData(Rgb10, "300,16,6").SetArgDisplayNames("10x10 RGB, dense");
        yield return new TestCaseData(Rgb10, "3x10x10,c5k3,p,f,6").SetArgDisplayNames("10x10 RGB, conv");
        yield return new TestCaseData(Rgb10, "12x5x5,c4k3v,f,6").SetArgDisplayNames("10x10 RGB viewed as 12x5x5, conv");
        yield return new TestCaseData(Rgb10, "3x10x10,c4k3s2nl,bn,relu,r4,r6s2,gap,6").SetArgDisplayNames("10x10 RGB, residual");
    }

    public static IEnumerable<TestCaseData> Networks()
    {
        yield return new TestCaseData(NetworkConfig.Default).SetArgDisplayNames("exercise 196-200-10");
        yield return new TestCaseData(TrainingPresets.Best.Config.Network).SetArgDisplayNames("best preset");
        foreach (string layers in ConvNetworks)
            yield return new TestCaseData(NetworkSpec.Parse(layers)).SetArgDisplayNames(layers);
    }

    /// <summary>
    /// Conv networks: same padding with two channel counts; valid padding with a linear conv, an even kernel and an odd
    /// size into a pool (5 → 2 drops a row and a column); another view of the 196 values (4x7x7, channels last) with a
    /// pool of 7 → 3; and an embedding that is an image (6x1x1, no dense layer) flattened at the end.
    /// </summary>
    static readonly string[] ConvNetworks =
    [
        "1x14x14,c8k3,p,c16k3,p,f,32,16l",
        "1x14x14,c6k3vl,p,c8k2v,p,f,12l",
        "4x7x7,c5k3,p,f,10",
        "1x14x14,c4k5v,p,c6k5v",
        // Residual networks: strided and bias-free convolutions, batch norm over channels (random scales, shifts and
        // running statistics) and over a dense layer's features, identity and projected shortcuts, a post-activation
        // block, the stem's padded max-pool, global average pooling (also as the embedding itself), sigmoid and tanh.
        "1x14x14,c8k3s2nl,bn,relu,r8,r12s2,bn,relu,gap,10l,sigmoid",
        "1x14x14,c6k5s2vl,p3s2p1,[c6k3nl,bn,relu,c6k3nl,bn],tanh,f,16l,bn,relu,8l",
        "1x14x14,c6k3,p3s1p1,gap",
    ];

    [Test]
    public void ConvWeightsAreReorderedToOnnxLayout()
    {
        var network = NetworkSpec.Parse("1x14x14,c3k3v,p,f,4");
        var checkpoint = RandomCheckpoint(network, seed: 9);
        var model = OnnxExport.Embedding(checkpoint);
        var conv = model.Graph.Node.Single(n => n.OpType == "Conv");
        Assert.That(conv.Attribute.Single(a => a.Name == "pads").Ints, Is.EqualTo(new long[] { 0, 0, 0, 0 }));
        var weight = model.Graph.Initializer.Single(t => t.Name == conv.Input[1]);
        Assert.That(weight.Dims, Is.EqualTo(new long[] { 3, 1, 3, 3 }));
        // Ours: W[i, j, c, o] at ((i·3 + j)·1 + c)·3 + o; ONNX's: W'[o, c, i, j] at ((o·1 + c)·3 + i)·3 + j.
        var values = new float[weight.RawData.Length / sizeof(float)];
        Buffer.BlockCopy(weight.RawData.ToByteArray(), 0, values, 0, weight.RawData.Length);
        Assert.That(values[(2 * 3 + 1) * 3 + 0], Is.EqualTo(checkpoint.Parameters[(1 * 3 + 0) * 3 + 2]), "W'[2,0,1,0] = W[1,0,0,2]");
        Assert.That(model.Graph.Node.Select(n => n.OpType),
            Is.EqualTo(new[] { "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "Gemm", "Relu", "Identity" }));
    }

    [OneTimeSetUp]
    public void LoadImages()
    {
        MnistData data;
        try { data = Mnist.Load(null, TestContext.Out.WriteLine); }
        catch (MnistUnavailableException e) { Assert.Ignore($"MNIST is not available here: {e.Message}"); return; }
        _images = data.Test.Pixels.AsSpan(0, Batch * ImageSet.Size).ToArray();
        _grey28 = new float[Batch * Grey28.Input.Size];
        for (int i = 0; i < Batch; i++)
            Grey28.ToInput(data.Test.Raw28!.AsSpan(i * ImageSet.RawSize, ImageSet.RawSize), _grey28.AsSpan(i * Grey28.Input.Size, Grey28.Input.Size));
        var random = new Random(10);
        _rgb10 = new float[Batch * Rgb10.Input.Size];
        for (int i = 0; i < Batch; i++)
        {
            var hue = ColourFolders.Classes[i % ColourFolders.Classes.Count].Hue;
            Rgb10.ReadInput(ColourFolders.Png(hue, 24, 18, random), $"picture {i}", ImageFile.MaxPixels, null)
                .CopyTo(_rgb10.AsSpan(i * Rgb10.Input.Size));
        }
    }

    /// <summary>A model of another input: its preprocessing, dataset and class names, as a checkpoint of format 4 holds them.</summary>
    internal static Checkpoint ShapedCheckpoint(Preprocessing preprocessing, string layers, ulong seed)
    {
        var checkpoint = RandomCheckpoint(NetworkSpec.Parse(layers), seed);
        bool rgb = preprocessing.Input.Channels == 3;
        return checkpoint with
        {
            Training = checkpoint.Training with
            {
                Dataset = rgb ? "/data/pictures" : MnistSource.SourceName,
                InputSize = preprocessing.Input.Height,
                Channels = preprocessing.Input.Channels,
            },
            Preprocessing = preprocessing,
            ClassNames = rgb ? ColourFolders.Classes.Select(c => c.Name).ToArray() : MnistSource.ClassNames,
        };
    }

    [TestCaseSource(nameof(ShapedModels))]
    public void ModelsOfOtherInputsTakeTheirShapePreprocessingAndClassesIntoTheFile(Preprocessing preprocessing, string layers)
    {
        var checkpoint = ShapedCheckpoint(preprocessing, layers, seed: 23);
        var input = preprocessing.Input;
        foreach (var graph in new[] { OnnxExport.Embedding(checkpoint), OnnxExport.Pair(checkpoint) })
        {
            using var session = new InferenceSession(OnnxExport.ToBytes(graph));
            foreach (var value in session.InputMetadata.Values)
                Assert.That(value.Dimensions, Is.EqualTo(new[] { -1, input.Channels, input.Height, input.Width }));
            var meta = session.ModelMetadata.CustomMetadataMap;
            Assert.That(meta["preprocessing.size"], Is.EqualTo($"{input.Height}x{input.Width}"));
            Assert.That(meta["preprocessing.layout"], Is.EqualTo($"NCHW float32 [batch, {input.Channels}, {input.Height}, {input.Width}]"));
            Assert.That(meta["preprocessing.channels"], Does.StartWith(input.Channels == 3 ? "3 (R, G, B" : "1 (grey"));
            Assert.That(meta["preprocessing.fit"], Does.StartWith(preprocessing.Fit == ImageFit.Digit ? "digit" : "stretch"));
            Assert.That(meta["preprocessing.resize"], Does.Contain($"to {input.Height}x{input.Width}").And.Not.Contain("pool"));
            Assert.That(meta["preprocessing.inversion"], Does.StartWith(preprocessing.Invert == InvertMode.NoInvert ? "none" : "white ink"));
            Assert.That(meta["preprocessing.steps"], Does.StartWith(input.Channels == 3 ? "RGB; area-resize the whole image to 10x10" : "grey; invert if dark on light"));
            Assert.That(meta["gpusiamese.preprocessing"], Is.EqualTo(preprocessing.Describe()));
            Assert.That(JsonSerializer.Deserialize<string[]>(meta["gpusiamese.classes"]), Is.EqualTo(checkpoint.ClassNames));
            Assert.That(meta["verdict.rule"], Does.StartWith(input.Channels == 3 ? "same class" : "same digit"));
        }

        var images = input.Channels == 3 ? _rgb10 : _grey28;
        using (var embedding = new InferenceSession(OnnxExport.ToBytes(OnnxExport.Embedding(checkpoint))))
        {
            var actual = Run(embedding, Batch, input, (OnnxExport.ImageInput, ColourFolders.ToNchw(images, Batch, input.Channels, input.Height, input.Width)));
            AssertClose(actual, ReferenceEmbeddings(checkpoint, images, Batch), $"embedding of {input}");
        }
        using var pair = new InferenceSession(OnnxExport.ToBytes(OnnxExport.Pair(checkpoint)));
        int pairs = Batch / 2, size = input.Size;
        var left = images.AsSpan(0, pairs * size).ToArray();
        var right = images.AsSpan(pairs * size, pairs * size).ToArray();
        var distances = Run(pair, pairs, input,
            (OnnxExport.FirstImageInput, ColourFolders.ToNchw(left, pairs, input.Channels, input.Height, input.Width)),
            (OnnxExport.SecondImageInput, ColourFolders.ToNchw(right, pairs, input.Channels, input.Height, input.Width)));
        var stacked = ReferenceEmbeddings(checkpoint, left, pairs).Concat(ReferenceEmbeddings(checkpoint, right, pairs)).ToArray();
        var expected = new double[pairs];
        Ref.PairDistance.Forward(stacked, expected, pairs, checkpoint.Network.OutputWidth, checkpoint.Training.DistanceEpsilon);
        AssertClose(distances, expected, $"distance of {input}");
    }

    [TestCaseSource(nameof(Networks))]
    public void EmbeddingsMatchTheReference(NetworkConfig network)
    {
        var checkpoint = RandomCheckpoint(network, seed: 14);
        using var session = new InferenceSession(OnnxExport.ToBytes(OnnxExport.Embedding(checkpoint)));
        foreach (int rows in new[] { 1, Batch })
        {
            var actual = Run(session, rows, (OnnxExport.ImageInput, _images));
            var expected = ReferenceEmbeddings(checkpoint, _images, rows);
            Assert.That(actual, Has.Length.EqualTo(expected.Length));
            AssertClose(actual, expected, $"embedding, batch of {rows}");
        }
    }

    [TestCaseSource(nameof(Networks))]
    public void PairDistancesMatchTheReference(NetworkConfig network)
    {
        var checkpoint = RandomCheckpoint(network, seed: 41);
        using var session = new InferenceSession(OnnxExport.ToBytes(OnnxExport.Pair(checkpoint)));
        int pairs = Batch / 2;
        var left = _images.AsSpan(0, pairs * ImageSet.Size).ToArray();
        var right = _images.AsSpan(pairs * ImageSet.Size, pairs * ImageSet.Size).ToArray();
        // Pair 0 compares an image with itself: the distance is sqrt(eps), the clamp at work.
        left.AsSpan(0, ImageSet.Size).CopyTo(right);
        var actual = Run(session, pairs, (OnnxExport.FirstImageInput, left), (OnnxExport.SecondImageInput, right));

        var a = ReferenceEmbeddings(checkpoint, left, pairs);
        var b = ReferenceEmbeddings(checkpoint, right, pairs);
        // The reference's layout: the left rows, then the right rows.
        var stacked = a.Concat(b).ToArray();
        var expected = new double[pairs];
        Ref.PairDistance.Forward(stacked, expected, pairs, network.OutputWidth, checkpoint.Training.DistanceEpsilon);
        Assert.That(expected[0], Is.EqualTo(Math.Sqrt(checkpoint.Training.DistanceEpsilon)).Within(1e-12));
        AssertClose(actual, expected, "distance");
    }

    [Test]
    public void NamesShapesVersionsAndPreprocessingAreInTheFile()
    {
        var checkpoint = RandomCheckpoint(NetworkConfig.Default, seed: 1);
        using var session = new InferenceSession(OnnxExport.ToBytes(OnnxExport.Embedding(checkpoint)));
        Assert.That(session.InputMetadata.Keys, Is.EqualTo(new[] { OnnxExport.ImageInput }));
        Assert.That(session.InputMetadata[OnnxExport.ImageInput].Dimensions, Is.EqualTo(new[] { -1, 1, 14, 14 }));
        Assert.That(session.InputMetadata[OnnxExport.ImageInput].SymbolicDimensions[0], Is.EqualTo(OnnxExport.BatchDimension));
        Assert.That(session.OutputMetadata.Keys, Is.EqualTo(new[] { OnnxExport.EmbeddingOutput }));
        Assert.That(session.OutputMetadata[OnnxExport.EmbeddingOutput].Dimensions, Is.EqualTo(new[] { -1, 10 }));
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.That(meta["preprocessing.size"], Is.EqualTo("14x14"));
        Assert.That(meta["preprocessing.scale"], Does.Contain("/ 255"));
        Assert.That(meta["preprocessing.inversion"], Does.Contain("white ink"));
        Assert.That(meta["verdict.threshold"], Is.EqualTo("0.75"));
        Assert.That(meta["distance.epsilon"], Is.EqualTo("1E-07"));

        var model = OnnxExport.Pair(checkpoint);
        Assert.That(model.IrVersion, Is.EqualTo(8));
        Assert.That(model.OpsetImport.Single().Version, Is.EqualTo(17));
        Assert.That(model.Graph.Input.Select(i => i.Name), Is.EqualTo(new[] { OnnxExport.FirstImageInput, OnnxExport.SecondImageInput }));
        Assert.That(model.Graph.Output.Select(o => o.Name), Is.EqualTo(new[] { OnnxExport.DistanceOutput }));
        // One set of weights serves both sides of the pair.
        Assert.That(model.Graph.Initializer.Count(t => t.Name.EndsWith("/weight")), Is.EqualTo(NetworkConfig.Default.LayerCount));
    }

    [TestCaseSource(nameof(Networks))]
    public void OnnxCheckerAcceptsBothGraphs(NetworkConfig network) => AssertOnnxCheckerAccepts(RandomCheckpoint(network, seed: 3));

    [TestCaseSource(nameof(ShapedModels))]
    public void OnnxCheckerAcceptsModelsOfOtherInputs(Preprocessing preprocessing, string layers) =>
        AssertOnnxCheckerAccepts(ShapedCheckpoint(preprocessing, layers, seed: 3));

    /// <summary>onnx.checker.check_model(full_check=True) on both graphs of <paramref name="checkpoint"/>; ignored where Python lacks onnx.</summary>
    internal static void AssertOnnxCheckerAccepts(Checkpoint checkpoint)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) Assert.Ignore($"{python} is absent: the ONNX checker cannot run (install python3-onnx)");
        var probe = RunPython(python, "-c \"import onnx\"");
        if (probe.Code != 0) Assert.Ignore($"{python} has no onnx module (install python3-onnx): {probe.Error.Trim()}");

        var folder = Directory.CreateTempSubdirectory("gpusiamese-onnx-").FullName;
        try
        {
            string embedding = Path.Combine(folder, "embedding.onnx"), pair = Path.Combine(folder, "pair.onnx");
            File.WriteAllBytes(embedding, OnnxExport.ToBytes(OnnxExport.Embedding(checkpoint)));
            File.WriteAllBytes(pair, OnnxExport.ToBytes(OnnxExport.Pair(checkpoint)));
            string script = "import sys, onnx\n" +
                            "for path in sys.argv[1:]:\n" +
                            "    onnx.checker.check_model(onnx.load(path), full_check=True)\n" +
                            "print('onnx', onnx.__version__, 'checked', len(sys.argv) - 1)\n";
            string scriptPath = Path.Combine(folder, "check.py");
            File.WriteAllText(scriptPath, script);
            var run = RunPython(python, $"\"{scriptPath}\" \"{embedding}\" \"{pair}\"");
            TestContext.Out.WriteLine(run.Output + run.Error);
            Assert.That(run.Code, Is.EqualTo(0), run.Error);
            Assert.That(run.Output, Does.Contain("checked 2"));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>
    /// Seeded He/Glorot weights and small random biases (zero biases would leave the Add path untested); batch norms get
    /// random scales, shifts, running means and variances (their initial 1, 0, 0, 1 would hide a swapped pair).
    /// </summary>
    internal static Checkpoint RandomCheckpoint(NetworkConfig network, ulong seed)
    {
        var rng = new Rng(seed);
        var parameters = GpuSiamese.Model.Network.Initialize(network, rng);
        var state = GpuSiamese.Model.Network.InitialState(network);
        for (int l = 0; l < network.LayerCount; l++)
        {
            for (int k = 0; k < ModelChain.BiasCount(network.Layers[l]); k++)
                parameters[network.BiasOffset(l) + k] = (float)(0.2 * rng.NextDouble() - 0.1);
            foreach (var t in network.Layers[l].Tensors.Where(t => t.Name is "scale" or "shift" or "running_mean" or "running_var"))
            {
                var target = t.IsState ? state.AsSpan(network.StateOffset(l) + t.Offset, t.Length) : parameters.AsSpan(network.LayerOffset(l) + t.Offset, t.Length);
                for (int k = 0; k < target.Length; k++)
                    target[k] = t.Name is "scale" or "running_var" ? (float)(0.5 + rng.NextDouble()) : (float)(0.4 * rng.NextDouble() - 0.2);
            }
        }
        return new Checkpoint(network, new TrainingConfig { Network = network }, parameters, 0.75, null) { State = state };
    }

    /// <summary>G(x) of the first <paramref name="rows"/> images in double precision.</summary>
    internal static double[] ReferenceEmbeddings(Checkpoint checkpoint, float[] images, int rows)
    {
        var x = images.AsSpan(0, rows * checkpoint.Network.Input.Size).ToArray().Select(v => (double)v).ToArray();
        var theta = checkpoint.Parameters.Select(v => (double)v).ToArray();
        var state = checkpoint.State.Length == 0 ? null : checkpoint.State.Select(v => (double)v).ToArray();
        return ModelChain.Embeddings(checkpoint.Network, theta, x, rows, state);
    }

    static float[] Run(InferenceSession session, int rows, params (string Name, float[] Images)[] inputs) =>
        Run(session, rows, ImageSet.DigitShape, inputs);

    /// <summary>The graph on <paramref name="rows"/> NCHW images of <paramref name="shape"/> per input; the single output's values.</summary>
    internal static float[] Run(InferenceSession session, int rows, ImageShape shape, params (string Name, float[] Images)[] inputs)
    {
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name,
            new DenseTensor<float>(i.Images.AsMemory(0, rows * shape.Size), [rows, shape.Channels, shape.Height, shape.Width]))).ToList();
        using var results = session.Run(values);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    internal static void AssertClose(float[] actual, double[] expected, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.That((double)actual[i], Is.EqualTo(expected[i]).Within(1e-5 + Math.Abs(expected[i]) * 1e-5), $"{what} [{i}]");
    }

    internal static (int Code, string Output, string Error) RunPython(string python, string arguments)
    {
        var start = new ProcessStartInfo(python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
