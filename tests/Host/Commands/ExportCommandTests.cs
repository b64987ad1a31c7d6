using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Model.Interchange;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Model.Interchange;
using GpuSiamese.Tests.Robustness;
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

    /// <summary>
    /// Models trained by the real program at other inputs export with their own shape: an RGB folder (generated here) at
    /// 8x8 with a conv network, and MNIST-shaped data at --input-size 28 with a dense one. ONNX Runtime's embeddings of
    /// images the checkpoint's preprocessing made match the double-precision reference, and the file names the classes.
    /// </summary>
    [TestCase("folder", "3x8x8,c4k3,p,f,6")]
    [TestCase("28", "784,16,4")]
    public void AModelTrainedAtAnotherInputExportsWithItsShape(string kind, string layers)
    {
        using var folder = new TempFolder();
        string runs = folder.File("runs");
        string[] args = kind == "folder"
            ?
            [
                "train", "--dataset", ColourFolders.Write(folder.File("pictures"), perClass: 16), "--input-size", "8", "--channels", "3",
                "--layers", layers, "--runs", runs, "--accelerator", "simd", "--quiet", "--batch", "8", "--pairs-per-epoch", "32",
                "--epochs", "1", "--monitor-pairs", "20", "--validation", "0.3", "--gallery-per-digit", "0", "--oneshot-trials", "0", "--seed", "5",
            ]
            : [.. SmallRun.TrainArgs(SmallRun.WriteData(folder.File("data")), runs, epochs: 1, layers: layers), "--input-size", "28"];
        var train = HostRun.Of(new ModelJobs(), args);
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Error + train.Out);
        string model = Path.Combine(SmallRun.OnlyRunFolder(runs), "model.ckpt"), onnx = folder.File("model.onnx");
        var checkpoint = CheckpointFile.Load(model);
        var input = checkpoint.Preprocessing.Input;
        Assert.That(input, Is.EqualTo(kind == "folder" ? new ImageShape(3, 8, 8) : new ImageShape(1, 28, 28)));

        var export = HostRun.Of(null, "export", "--model", model, "--out", onnx);
        Assert.That(export.ExitCode, Is.EqualTo(0), export.Error);
        Assert.That(export.Out, Does.Contain($"image [batch,{input.Channels},{input.Height},{input.Width}]"));

        // Inputs as the checkpoint's preprocessing makes them: the folder's own files, or 28x28 bytes / 255.
        const int rows = 12;
        var images = new float[rows * input.Size];
        if (kind == "folder")
        {
            var files = Directory.GetFiles(folder.File("pictures"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
            for (int i = 0; i < rows; i++)
            {
                string file = files[i * files.Length / rows];
                checkpoint.Preprocessing.ReadInput(File.ReadAllBytes(file), file, ImageFile.MaxPixels, null).CopyTo(images.AsSpan(i * input.Size));
            }
        }
        else
        {
            var random = new Random(3);
            var bytes = new byte[input.Size];
            for (int i = 0; i < rows; i++)
            {
                random.NextBytes(bytes);
                checkpoint.Preprocessing.ToInput(bytes, images.AsSpan(i * input.Size, input.Size));
            }
        }
        using var session = new InferenceSession(onnx);
        var actual = OnnxExportTests.Run(session, rows, input,
            (OnnxExport.ImageInput, ColourFolders.ToNchw(images, rows, input.Channels, input.Height, input.Width)));
        OnnxExportTests.AssertClose(actual, OnnxExportTests.ReferenceEmbeddings(checkpoint, images, rows), "embedding");
        var classes = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["gpusiamese.classes"]);
        Assert.That(classes, Is.EqualTo(kind == "folder" ? ColourFolders.Classes.Select(c => c.Name).ToArray() : MnistSource.ClassNames));
        Assert.That(session.ModelMetadata.CustomMetadataMap["preprocessing.size"], Is.EqualTo($"{input.Height}x{input.Width}"));
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
