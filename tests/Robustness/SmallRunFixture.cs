using TempFolder = GpuSiamese.Tests.Host.TempFolder;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// A fixture that drives the real program on <see cref="SmallRun"/>'s data: one temporary folder for the whole
/// fixture, holding that data under "mnist". NUnit runs this set-up before a derived fixture's own.
/// </summary>
public abstract class SmallRunFixture
{
    protected TempFolder Dir { get; private set; } = null!;
    protected string Data { get; private set; } = "";

    [OneTimeSetUp]
    public void WriteSmallRunData()
    {
        Dir = new TempFolder();
        Data = SmallRun.WriteData(Dir.File("mnist"));
    }

    [OneTimeTearDown]
    public void RemoveSmallRunData() => Dir?.Dispose();
}
