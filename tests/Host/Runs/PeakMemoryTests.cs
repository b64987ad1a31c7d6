using GpuSiamese.Host.Runs;

namespace GpuSiamese.Tests.Host.Runs;

public class PeakMemoryTests
{
    [Test]
    public void The_peak_covers_a_fresh_allocation()
    {
        var block = new byte[64 << 20];
        Array.Fill(block, (byte)1); // touched, so resident
        long peak = PeakMemory.Bytes();
        Assert.That(peak, Is.GreaterThanOrEqualTo(64L << 20));
        GC.KeepAlive(block);
    }
}
