using GpuSiamese.Model;
using GpuSiamese.Tests.Host.Serve;
using GpuSiamese.Tests.Model.Interchange;

namespace GpuSiamese.Tests.Host.Commands;

/// <summary>gallery create|add|remove|list|identify|verify through the command line, in-process, over a seeded random model.</summary>
public class GalleryCommandTests
{
    [Test]
    public void Create_add_list_identify_verify_remove()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt");
        CheckpointFile.Save(model, OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 7) with { Threshold = 0.05 });
        string g = dir.File("g");
        string seven = dir.File("seven.png"), one = dir.File("one.png");
        File.WriteAllBytes(seven, WebServerTests.SevenPng());
        File.WriteAllBytes(one, WebServerTests.OnePng());
        Directory.CreateDirectory(dir.File("faces/ones"));
        File.Copy(one, dir.File("faces/ones/a.png"));
        File.WriteAllText(dir.File("faces/ones/notes.txt"), "not an image");

        var created = HostRun.Of(null, "gallery", "create", "--store", g, "--model", model);
        Assert.That(created.ExitCode, Is.EqualTo(0), created.Error);
        Assert.That(created.Out, Does.Contain("threshold       0.0500 (validation split, Youden point)"));
        var added = HostRun.Of(null, "gallery", "add", "--store", g, "--model", model, "--name", "sevens", seven, "--accelerator", "simd");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.Error);
        Assert.That(added.Out, Does.Contain("enrolled        sevens: 1 image(s), 1 in all"));
        var folder = HostRun.Of(null, "gallery", "add", "--store", g, "--model", model, "--folder", dir.File("faces"), "--accelerator", "simd");
        Assert.That(folder.Out, Does.Contain("enrolled        ones: 1 image(s)"), folder.Error);

        var list = HostRun.Of(null, "gallery", "list", "--store", g);
        Assert.That(list.Out, Does.Contain("identities      2 (2 embeddings)").And.Contain("  ones\t1\t").And.Contain("  sevens\t1\t"));

        var identify = HostRun.Of(null, "gallery", "identify", "--store", g, "--model", model, seven, "--accelerator", "simd");
        Assert.That(identify.ExitCode, Is.EqualTo(0), identify.Error);
        Assert.That(identify.Out, Does.Contain("answer          sevens").And.Contain("  1\tsevens\t"));
        var verify = HostRun.Of(null, "gallery", "verify", "--store", g, "--model", model, "--name", "sevens", seven, "--accelerator", "simd");
        Assert.That(verify.Out, Does.Contain("verdict         same: sevens"), verify.Error);

        var removed = HostRun.Of(null, "gallery", "remove", "--store", g, "sevens");
        Assert.That(removed.Out, Does.Contain("removed         sevens"));
        var again = HostRun.Of(null, "gallery", "remove", "--store", g, "sevens");
        Assert.That(again.ExitCode, Is.Not.EqualTo(0));
        Assert.That(again.ErrorLines, Is.EqualTo(new[] { $"error: gallery '{g}' has no identity 'sevens'" }));
        var unknown = HostRun.Of(null, "gallery", "verify", "--store", g, "--model", model, "--name", "sevens", seven);
        Assert.That(unknown.ErrorLines, Has.Length.EqualTo(1));
    }

    [Test]
    public void Another_models_gallery_and_a_missing_one_are_one_line_refusals()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt"), other = dir.File("other.ckpt");
        CheckpointFile.Save(model, OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 7));
        CheckpointFile.Save(other, OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 8));
        string g = dir.File("g"), seven = dir.File("seven.png");
        File.WriteAllBytes(seven, WebServerTests.SevenPng());
        Assert.That(HostRun.Of(null, "gallery", "create", "--store", g, "--model", model).ExitCode, Is.EqualTo(0));
        var wrong = HostRun.Of(null, "gallery", "identify", "--store", g, "--model", other, seven);
        Assert.That(wrong.ExitCode, Is.Not.EqualTo(0));
        Assert.That(wrong.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(wrong.Error, Does.Contain("belongs to another model"));
        var missing = HostRun.Of(null, "gallery", "list", "--store", dir.File("nothing"));
        Assert.That(missing.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(missing.Error, Does.Contain("gallery create"));
        var both = HostRun.Of(null, "gallery", "add", "--store", g, "--model", model, "--folder", dir.Path, "--name", "x", seven);
        Assert.That(both.ExitCode, Is.Not.EqualTo(0));
    }
}
