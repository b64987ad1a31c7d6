using GpuSiamese.Model;
using GpuSiamese.Model.Interchange;
using GpuSiamese.Tests.Model.Interchange;
using Microsoft.ML.OnnxRuntime;

namespace GpuSiamese.Tests.Host.Commands;

[TestFixture]
public sealed class ExportCommandTests
{
    [TestCase(false, "embedding [batch,10]")]
    [TestCase(true, "distance [batch]")]
    public void WritesAFileOnnxRuntimeLoads(bool pair, string output)
    {
        using var folder = new TempFolder();
        string model = folder.File("model.ckpt"), onnx = folder.File("model.onnx");
        CheckpointFile.Save(model, OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 5));
        var run = HostRun.Of(null, pair ? ["export", "--model", model, "--out", onnx, "--pair"] : ["export", "--model", model, "--out", onnx]);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain(output).And.Contain($"IR {OnnxExport.IrVersion}, opset {OnnxExport.Opset}"));
        using var session = new InferenceSession(onnx);
        Assert.That(session.OutputMetadata.Keys.Single(), Is.EqualTo(pair ? OnnxExport.DistanceOutput : OnnxExport.EmbeddingOutput));
        Assert.That(Directory.GetFiles(folder.Path), Has.Length.EqualTo(2), "no temporary file is left");
    }

    [Test]
    public void AMissingOrCorruptCheckpointIsOneErrorLine()
    {
        using var folder = new TempFolder();
        var missing = HostRun.Of(null, "export", "--model", folder.File("none.ckpt"), "--out", folder.File("m.onnx"));
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(missing.Error, Does.StartWith("error: --model: no such file"));

        File.WriteAllText(folder.File("bad.ckpt"), "not a checkpoint");
        var corrupt = HostRun.Of(null, "export", "--model", folder.File("bad.ckpt"), "--out", folder.File("m.onnx"));
        Assert.That(corrupt.ExitCode, Is.EqualTo(2));
        Assert.That(corrupt.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(corrupt.Error, Does.Contain("bad.ckpt"));
        Assert.That(File.Exists(folder.File("m.onnx")), Is.False);
    }
}
