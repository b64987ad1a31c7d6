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
}
