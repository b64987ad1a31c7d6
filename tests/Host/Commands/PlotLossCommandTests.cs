namespace GpuSiamese.Tests.Host.Commands;

public class PlotLossCommandTests
{
    [Test]
    public void Plot_loss_writes_the_png_end_to_end_without_an_engine()
    {
        using var dir = new TempFolder();
        string png = dir.File("loss.png");
        var run = HostRun.Of(null, "plot-loss", "--out", png, "--q", "0.5,5,50", "--width", "640", "--height", "400");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out.Trim(), Is.EqualTo("written to      " + png));
        PngAssert.IsImage(png, 640, 400);
        Assert.That(Directory.GetFiles(dir.Path), Has.Length.EqualTo(1), "no temporary file left");
    }

    [TestCase("--q", "1,-2", "error: --q expects a comma list of numbers > 0, got '1,-2'")]
    [TestCase("--q", "", "error: --q expects a comma list of numbers > 0, got ''")]
    [TestCase("--out", "loss.jpg", "error: --out 'loss.jpg': expected a file name ending in .png")]
    [TestCase("--width", "10", "error: --width expects a whole number ≥ 200, got '10'")]
    public void Bad_values_are_refused(string option, string value, string message)
    {
        var run = HostRun.Of(null, "plot-loss", option, value);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith(message));
    }
}
