using GpuSiamese.Host.Plots;

namespace GpuSiamese.Tests.Host.Plots;

public class LossCurvePlotTests
{
    [Test]
    public void Writes_a_png_with_the_default_qs()
    {
        using var dir = new TempFolder();
        string png = PlotSamples.PathFor(dir, "loss-vs-distance.png");
        LossCurvePlot.Save(png, [1, 2, 5, 10, 20], 10, 900, 600);
        PngAssert.IsImage(png, 900, 600);
    }
}
