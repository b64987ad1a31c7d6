using GpuSiamese.Host.Plots;

namespace GpuSiamese.Tests.Host.Plots;

public class DistancePlotTests
{
    [Test]
    public void Writes_a_png_of_both_histograms()
    {
        var (same, different) = PlotSamples.Distances();
        using var dir = new TempFolder();
        string png = PlotSamples.PathFor(dir, "distances.png");
        DistancePlot.Save(png, same, different, 1.25, 60, 820, 500);
        PngAssert.IsImage(png, 820, 500);
    }

    [Test]
    public void Empty_or_all_zero_inputs_still_draw()
    {
        using var dir = new TempFolder();
        DistancePlot.Save(dir.File("d.png"), [], [0, 0], 0, 10, 400, 300);
        PngAssert.IsImage(dir.File("d.png"), 400, 300);
    }
}
