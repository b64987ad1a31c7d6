using static GpuSiamese.Tests.Kernels.Parity;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Kernels;

/// <summary>Global average pooling on every backend against the reference, at awkward sizes, outputs pre-filled with garbage.</summary>
[TestFixture]
public class GlobalPoolTests
{
    static IEnumerable<TestCaseData> Cases() =>
        from c in BackendCases.All()
        from shape in new[] { (1, 1, 1), (3, 49, 13), (127, 4, 64), (2, 225, 3), (5, 16, 512) }
        select new TestCaseData(c, shape.Item1, shape.Item2, shape.Item3).SetArgDisplayNames(c.Name, $"{shape.Item1}x{shape.Item2}x{shape.Item3}");

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackwardMatchReference(BackendCase c, int images, int pixels, int channels)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(images * 31 + pixels * 7 + channels);
        var x = Parity.Random(rng, images * pixels * channels);
        var dy = Parity.Random(rng, images * channels);
        var ey = new double[images * channels];
        var edx = new double[images * pixels * channels];
        Ref.GlobalPool.AverageForward(D(x), ey, images, pixels, channels);
        Ref.GlobalPool.AverageBackward(D(dy), edx, images, pixels, channels);
        using var bx = Up(b, x); using var bdy = Up(b, dy);
        using var y = Up(b, Parity.Random(rng, ey.Length, 100));
        using var dx = Up(b, Parity.Random(rng, edx.Length, 100));
        b.GlobalAveragePoolForward(bx, y, images, pixels, channels);
        b.GlobalAveragePoolBackward(bdy, dx, images, pixels, channels);
        AssertClose(ey, Down(b, y), "y");
        AssertClose(edx, Down(b, dx), "dX");
    }

    [Test]
    public void TheReferenceAveragesEachChannelOverThePixels()
    {
        // Two pixels of two channels, channels last: (1, 10), (3, 30) → (2, 20); dY (4, 8) spreads as 2, 4 on each pixel.
        var y = new double[2];
        Ref.GlobalPool.AverageForward([1, 10, 3, 30], y, 1, 2, 2);
        Assert.That(y, Is.EqualTo(new[] { 2.0, 20.0 }));
        var dx = new double[4];
        Ref.GlobalPool.AverageBackward([4, 8], dx, 1, 2, 2);
        Assert.That(dx, Is.EqualTo(new[] { 2.0, 4.0, 2.0, 4.0 }));
    }
}
