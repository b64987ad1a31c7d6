using System.Diagnostics;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Interchange;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model.Interchange;

/// <summary>
/// Exported graphs run by ONNX Runtime give the double-precision reference's embeddings and distances on real MNIST
/// test images, for the exercise's network, the best preset's shape and conv networks (seeded random weights, non-zero biases: the
/// check is about the graph, not about training); ONNX's own checker accepts them where Python has onnx.
/// </summary>
[TestFixture]
public sealed class OnnxExportTests
{
    const int Batch = 64;
    float[] _images = null!;

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
    public void OnnxCheckerAcceptsBothGraphs(NetworkConfig network)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) Assert.Ignore($"{python} is absent: the ONNX checker cannot run (install python3-onnx)");
        var probe = RunPython(python, "-c \"import onnx\"");
        if (probe.Code != 0) Assert.Ignore($"{python} has no onnx module (install python3-onnx): {probe.Error.Trim()}");

        var checkpoint = RandomCheckpoint(network, seed: 3);
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

    /// <summary>Seeded He/Glorot weights and small random biases (zero biases would leave the Add path untested).</summary>
    internal static Checkpoint RandomCheckpoint(NetworkConfig network, ulong seed)
    {
        var rng = new Rng(seed);
        var parameters = GpuSiamese.Model.Network.Initialize(network, rng);
        for (int l = 0; l < network.LayerCount; l++)
            for (int k = 0; k < ModelChain.BiasCount(network.Layers[l]); k++)
                parameters[network.BiasOffset(l) + k] = (float)(0.2 * rng.NextDouble() - 0.1);
        return new Checkpoint(network, new TrainingConfig { Network = network }, parameters, 0.75, null);
    }

    /// <summary>G(x) of the first <paramref name="rows"/> images in double precision.</summary>
    internal static double[] ReferenceEmbeddings(Checkpoint checkpoint, float[] images, int rows)
    {
        var x = images.AsSpan(0, rows * ImageSet.Size).ToArray().Select(v => (double)v).ToArray();
        var theta = checkpoint.Parameters.Select(v => (double)v).ToArray();
        return ModelChain.Embeddings(checkpoint.Network, theta, x, rows);
    }

    static float[] Run(InferenceSession session, int rows, params (string Name, float[] Images)[] inputs)
    {
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name,
            new DenseTensor<float>(i.Images.AsMemory(0, rows * ImageSet.Size), [rows, 1, ImageSet.Side, ImageSet.Side]))).ToList();
        using var results = session.Run(values);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    static void AssertClose(float[] actual, double[] expected, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.That((double)actual[i], Is.EqualTo(expected[i]).Within(1e-5 + Math.Abs(expected[i]) * 1e-5), $"{what} [{i}]");
    }

    static (int Code, string Output, string Error) RunPython(string python, string arguments)
    {
        var start = new ProcessStartInfo(python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
