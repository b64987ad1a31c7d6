using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Tests.Model.Interchange;

namespace GpuSiamese.Tests.Host.Commands;

[TestFixture]
public sealed class ServeCommandTests
{
    [TestCase(new[] { "--host", "example.org" }, "--host expects an IP address or localhost, got 'example.org'")]
    [TestCase(new[] { "--port", "70000" }, "--port expects a number from 0 to 65535")]
    public void ABadAddressIsOneErrorLine(string[] extra, string message)
    {
        using var folder = new TempFolder();
        var run = HostRun.Of(null, ["serve", "--model", folder.File("m.ckpt"), .. extra]);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.Error, Does.Contain(message));
    }

    [Test]
    public void AMissingModelIsOneErrorLine()
    {
        using var folder = new TempFolder();
        var run = HostRun.Of(null, "serve", "--model", folder.File("none.ckpt"));
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.StartWith("error: --model: no such file"));
    }

    [Test]
    public void AModelWhoseFolderIsNotHereAsksForAGallery()
    {
        using var folder = new TempFolder();
        var rgb = new Preprocessing(new ImageShape(3, 10, 10), 1, ImageFit.Stretch, InvertMode.NoInvert);
        var shaped = OnnxExportTests.ShapedCheckpoint(rgb, "300,8,4", seed: 2);
        string gone = folder.File("pictures-elsewhere"), model = folder.File("m.ckpt");
        CheckpointFile.Save(model, shaped with { Training = shaped.Training with { Dataset = gone } });
        var run = HostRun.Of(null, "serve", "--model", model, "--accelerator", "simd");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.Error, Does.Contain($"trained on the folder '{gone}', which is not here").And.Contain("--gallery DIR").And.Contain("--gallery-per-class 0"));

        var missing = HostRun.Of(null, "serve", "--model", model, "--gallery", folder.File("none"), "--accelerator", "simd");
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Error, Does.StartWith($"error: --gallery '{folder.File("none")}': no such folder"));
    }

    [Test]
    public void ADigitModelTakesNoGalleryFolder()
    {
        using var folder = new TempFolder();
        string model = folder.File("m.ckpt");
        CheckpointFile.Save(model, OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 2));
        Directory.CreateDirectory(folder.File("digits"));
        var run = HostRun.Of(null, "serve", "--model", model, "--gallery", folder.File("digits"), "--accelerator", "simd");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.Error, Does.StartWith("error: --gallery: this model reads images as digits"));
    }
}
