using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuSiamese.Data;
using GpuSiamese.Host;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Model.Interchange;
using GpuSiamese.Tests.Host.Serve;
using GpuSiamese.Tests.Robustness;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GpuSiamese.Tests.Host;

/// <summary>
/// The scoring commands on a conv checkpoint that the real program trained (a tiny run on <see cref="SmallRun"/>'s data):
/// eval, compare, embed, export and serve all work, and agree with each other through the exported ONNX graph, which
/// ONNX Runtime runs on the images the commands preprocessed. Compare, embed and serve run our float32 SIMD kernels and
/// ONNX Runtime its own float32 ones, so they agree to float32 rounding (1e-4 + |x|·1e-4), not to the double reference
/// (OnnxExportTests holds the graph to that).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConvCheckpointTests : SmallRunFixture
{
    /// <summary>Same padding, a valid conv that leaves an odd 5x5 for the second pool, flatten of 6 channels, a linear embedding.</summary>
    const string Layers = "1x14x14,c4k3,p,c6k3v,p,f,8l";
    const int Width = 8;

    string _model = null!, _seven = null!, _one = null!;

    [OneTimeSetUp]
    public void TrainAConvModel()
    {
        string runs = Dir.File("runs");
        var run = SmallRun.Train(SmallRun.TrainArgs(Data, runs, layers: Layers));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        _model = Path.Combine(SmallRun.OnlyRunFolder(runs), "model.ckpt");
        Assert.That(CheckpointFile.LoadForInference(_model, null).Network.ToString(), Is.EqualTo(Layers));
        _seven = Dir.File("seven.png");
        _one = Dir.File("one.png");
        File.WriteAllBytes(_seven, WebServerTests.SevenPng());
        File.WriteAllBytes(_one, WebServerTests.OnePng());
    }

    [Test]
    public void EvalScoresTheTestPairs()
    {
        var run = HostRun.Of(new ModelJobs(), "eval", "--model", _model, "--data", Data, "--accelerator", "simd",
            "--positives-per-digit", "5", "--negatives-per-pair", "2", "--distances", Dir.File("eval.csv"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("AUC").And.Contain("EER"));
        var rows = File.ReadAllLines(Dir.File("eval.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        // 5 same-digit pairs per digit, 2 different-digit pairs for each of the 45 digit pairs.
        Assert.That(rows, Has.Length.EqualTo(5 * 10 + 2 * 45));
        Assert.That(rows.Select(r => double.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)), Has.All.GreaterThan(0.0));
    }

    [Test]
    public void CompareGivesThePairGraphsDistance()
    {
        var run = HostRun.Of(new ModelJobs(), "compare", "--model", _model, _seven, _one, "--accelerator", "simd");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        double distance = Figure(run.Out, "distance");
        double expected = OnnxDistance(DigitImage.Load(_seven), DigitImage.Load(_one));
        // compare prints four decimals.
        Assert.That(distance, Is.EqualTo(expected).Within(5.1e-5 + expected * 1e-4));
        Assert.That(run.Out, Does.Contain("verdict"));
    }

    [Test]
    public void EmbedGivesTheEmbeddingGraphsValues()
    {
        string npy = Dir.File("embeddings.npy");
        var run = HostRun.Of(new ModelJobs(), "embed", "--model", _model, _seven, _one, "--out", npy, "--accelerator", "simd");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        byte[] bytes = File.ReadAllBytes(npy);
        int header = bytes[8] | bytes[9] << 8;
        Assert.That(Encoding.ASCII.GetString(bytes, 10, header), Does.Contain($"'shape': (2, {Width})"));
        var actual = new float[2 * Width];
        Buffer.BlockCopy(bytes, 10 + header, actual, 0, actual.Length * sizeof(float));

        var expected = OnnxEmbeddings([DigitImage.Load(_seven), DigitImage.Load(_one)]);
        Assert.That(expected.Select(Math.Abs).Max(), Is.GreaterThan(0f), "the embedding is not all zeros");
        for (int i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4 + Math.Abs(expected[i]) * 1e-4), $"embedding value {i}");
    }

    [TestCase(false, "embedding [batch,8]")]
    [TestCase(true, "distance [batch]")]
    public void ExportWritesAGraphOnnxRuntimeRuns(bool pair, string output)
    {
        string onnx = Dir.File(pair ? "export-pair.onnx" : "export.onnx");
        var run = HostRun.Of(null, ["export", "--model", _model, "--out", onnx, .. pair ? (string[])["--pair"] : []]);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain(output).And.Contain(Layers));
        using var session = new InferenceSession(onnx);
        Assert.That(session.ModelMetadata.CustomMetadataMap["gpusiamese.network"], Is.EqualTo(Layers));
        Assert.That(session.InputMetadata.Values.Select(v => v.Dimensions), Has.All.EqualTo(new[] { -1, 1, 14, 14 }));
    }

    [Test]
    public async Task ServeAnswersWithTheSameDistanceAndStopsOnCancel()
    {
        using var cancel = new CancellationTokenSource();
        var output = new WatchedWriter();
        var error = new StringWriter();
        var serving = Task.Run(() => Cli.Run(["serve", "--model", _model, "--port", "0", "--data", Data, "--gallery-per-digit", "2",
            "--accelerator", "simd"], new HostConsole(output, TextWriter.Synchronized(error), IsTerminal: false), null, cancel.Token));
        // The address is printed once the server listens; the wait ends early if the command ends instead.
        var said = await Task.WhenAny(output.Serving, serving);
        Assert.That(said, Is.SameAs(output.Serving), $"serve ended before serving: {output}{error}");
        using var http = new HttpClient { BaseAddress = new Uri(output.Serving.Result) };
        try
        {
            var reply = await http.PostAsync("/api/compare", WebServerTests.Form(("a", File.ReadAllBytes(_seven)), ("b", File.ReadAllBytes(_one))));
            string text = await reply.Content.ReadAsStringAsync();
            Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            double distance = JsonDocument.Parse(text).RootElement.GetProperty("distance").GetDouble();
            double expected = OnnxDistance(DigitImage.Load(_seven), DigitImage.Load(_one));
            Assert.That(distance, Is.EqualTo(expected).Within(1e-4 + expected * 1e-4));

            var identify = await http.PostAsync("/api/identify", WebServerTests.Form(("image", File.ReadAllBytes(_seven))));
            Assert.That(identify.StatusCode, Is.EqualTo(HttpStatusCode.OK), await identify.Content.ReadAsStringAsync());
            var model = JsonDocument.Parse(await http.GetStringAsync("/api/model")).RootElement;
            Assert.That(model.GetProperty("galleryImages").GetInt32(), Is.EqualTo(20));
        }
        finally { cancel.Cancel(); }
        Assert.That(await serving, Is.EqualTo(0), error.ToString());
        Assert.That(output.ToString(), Does.Contain(Layers).And.Contain("stopped"));
    }

    static double Figure(string output, string name)
    {
        var match = Regex.Match(output, $@"^{name}\s+(\S+)", RegexOptions.Multiline);
        Assert.That(match.Success, Is.True, $"no '{name}' line in: {output}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    float[] OnnxEmbeddings(float[][] images)
    {
        var checkpoint = CheckpointFile.LoadForInference(_model, null);
        using var session = new InferenceSession(OnnxExport.ToBytes(OnnxExport.Embedding(checkpoint)));
        var input = images.SelectMany(i => i).ToArray();
        var tensor = new DenseTensor<float>(input, [images.Length, 1, ImageSet.Side, ImageSet.Side]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.ImageInput, tensor)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    double OnnxDistance(float[] a, float[] b)
    {
        var checkpoint = CheckpointFile.LoadForInference(_model, null);
        using var session = new InferenceSession(OnnxExport.ToBytes(OnnxExport.Pair(checkpoint)));
        int[] shape = [1, 1, ImageSet.Side, ImageSet.Side];
        using var results = session.Run([
            NamedOnnxValue.CreateFromTensor(OnnxExport.FirstImageInput, new DenseTensor<float>(a, shape)),
            NamedOnnxValue.CreateFromTensor(OnnxExport.SecondImageInput, new DenseTensor<float>(b, shape)),
        ]);
        return results.Single().AsEnumerable<float>().Single();
    }

    /// <summary>A thread-safe output that completes <see cref="Serving"/> with the address of serve's "serving" line.</summary>
    sealed class WatchedWriter : TextWriter
    {
        readonly StringBuilder _text = new();
        readonly TaskCompletionSource<string> _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Serving => _serving.Task;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
                if (value != '\n') return;
                var match = Regex.Match(_text.ToString(), @"^serving\s+(http://\S+)", RegexOptions.Multiline);
                if (match.Success) _serving.TrySetResult(match.Groups[1].Value);
            }
        }

        public override void Write(string? value)
        {
            foreach (char c in value ?? "") Write(c);
        }

        public override string ToString()
        {
            lock (_text) return _text.ToString();
        }
    }
}
