using GpuSiamese.Host.Jobs;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Host.Jobs;

public class AcceleratorBackendsTests
{
    [Test]
    public void An_absent_device_is_one_line_naming_the_option_and_what_was_found([Values("cuda", "opencl")] string kind)
    {
        if (IlgpuDevices.List().Any(d => d.Kind == kind)) Assert.Ignore($"a {kind} device is present here");
        using var folder = new TempFolder();
        var run = HostRun.Of(new ModelJobs(), "--accelerator", kind, "--runs", folder.File("runs"), "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), "one error line: " + run.Error);
        Assert.That(run.ErrorLines[0], Does.StartWith($"error: --accelerator {kind}: no {kind.ToUpperInvariant()} device found")
            .And.Contain("ILGPU found: cpu"));
        Assert.That(Directory.Exists(folder.File("runs")), Is.False, "refused before any run folder is made");
    }

    [Test]
    public void Auto_says_what_it_picked()
    {
        var said = new List<string>();
        using var backend = AcceleratorBackends.Create(GpuSiamese.Host.Options.AcceleratorChoice.Auto, said.Add);
        Assert.That(said, Is.EqualTo(new[] { $"--accelerator auto picked {backend.Name}" }));
    }
}
