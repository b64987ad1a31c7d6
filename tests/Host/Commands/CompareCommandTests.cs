using GpuSiamese.Data;
using GpuSiamese.Host.Options;
using SkiaSharp;

namespace GpuSiamese.Tests.Host.Commands;

public class CompareCommandTests
{
    static (TempFolder Dir, string Model, string A, string B) Files()
    {
        var dir = new TempFolder();
        string model = dir.File("model.ckpt"), a = dir.File("three.png"), b = dir.File("eight.png");
        foreach (var f in new[] { model, a, b }) File.WriteAllBytes(f, [0]);
        return (dir, model, a, b);
    }

    [TestCase(0.4, "same digit")]
    [TestCase(1.0, "same digit")]
    [TestCase(1.7, "different digits")]
    public void Prints_distance_threshold_and_verdict(double distance, string verdict)
    {
        var (dir, model, a, b) = Files();
        using (dir)
        {
            var run = HostRun.Of(new FakeModelJobs { CompareDistance = distance }, "compare", "--model", model, a, b);
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
            Assert.That(run.Out, Does.Contain($"distance        {distance:F4}"));
            Assert.That(run.Out, Does.Contain("threshold       1.0000"));
            Assert.That(run.Out, Does.Contain("verdict         " + verdict));
        }
    }

    [TestCase(new string[0], InvertMode.Auto)]
    [TestCase(new[] { "--invert" }, InvertMode.Invert)]
    [TestCase(new[] { "--no-invert" }, InvertMode.NoInvert)]
    public void Invert_flags_reach_the_engine(string[] flags, InvertMode expected)
    {
        var (dir, model, a, b) = Files();
        using (dir)
        {
            var jobs = new FakeModelJobs();
            Assert.That(HostRun.Of(jobs, ["compare", "--model", model, a, b, .. flags]).ExitCode, Is.EqualTo(0));
            Assert.That(jobs.ComparedWith!.Invert, Is.EqualTo(expected));
            Assert.That((jobs.ComparedWith.ImageA, jobs.ComparedWith.ImageB), Is.EqualTo((a, b)));
        }
    }

    [Test]
    public void Both_invert_flags_contradict()
    {
        var run = HostRun.Of(new FakeModelJobs(), "compare", "--model", "m", "a.png", "b.png", "--invert", "--no-invert");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith("error: --invert and --no-invert contradict each other: give one or neither (usage: gpusiamese compare"));
    }

    [Test]
    public void A_missing_image_is_named()
    {
        var (dir, model, a, _) = Files();
        using (dir)
        {
            var run = HostRun.Of(new FakeModelJobs(), "compare", "--model", model, a, dir.File("missing.png"));
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Error.Trim(), Is.EqualTo($"error: image-b: no such file '{dir.File("missing.png")}'"));
        }
    }

    [Test]
    public void Save_preprocessed_writes_what_the_network_saw()
    {
        var (dir, model, a, b) = Files();
        using (dir)
        {
            var run = HostRun.Of(new FakeModelJobs(), "compare", "--model", model, a, b, "--save-preprocessed", dir.File("seen"));
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
            string first = Path.Combine(dir.File("seen"), "1-three-14x14.png");
            using var bitmap = SKBitmap.Decode(first);
            Assert.That(bitmap.Width, Is.EqualTo(280));
            // The fake's left image of pair 0 is a white bar at column 3: pixel (3, 7) of 14x14 is white, (0, 0) black.
            Assert.That(bitmap.GetPixel(3 * 20 + 10, 7 * 20 + 10).Red, Is.EqualTo(255));
            Assert.That(bitmap.GetPixel(10, 10).Red, Is.EqualTo(0));
            Assert.That(File.Exists(Path.Combine(dir.File("seen"), "2-eight-14x14.png")), Is.True);
        }
    }
}
