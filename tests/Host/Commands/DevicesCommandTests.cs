namespace GpuSiamese.Tests.Host.Commands;

public class DevicesCommandTests
{
    [Test]
    public void Lists_the_host_vectors_and_the_engine_devices()
    {
        var run = HostRun.Of(new FakeModelJobs(), "devices");
        Assert.That(run.ExitCode, Is.EqualTo(0));
        Assert.That(run.Out, Does.Contain($"{Environment.ProcessorCount} logical cores"));
        Assert.That(run.Out, Does.Contain("vectors"));
        Assert.That(run.Out, Does.Contain("  simd    fake SIMD backend  — 2 threads"));
        Assert.That(run.Out, Does.Contain("  cpu     fake ILGPU CPU"));
    }

    [Test]
    public void Without_an_engine_it_says_what_it_cannot_list()
    {
        var run = HostRun.Of(null, "devices");
        Assert.That(run.ExitCode, Is.EqualTo(0));
        Assert.That(run.Out, Does.Contain("engine devices are not listed"));
    }

    [Test]
    public void Vector_support_matches_the_runtime()
    {
        string text = GpuSiamese.Host.Commands.DevicesCommand.VectorSupport();
        Assert.That(text.Contains("128-bit"), Is.EqualTo(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated));
        Assert.That(text.Contains("AVX2"), Is.EqualTo(System.Runtime.Intrinsics.X86.Avx2.IsSupported));
    }
}
