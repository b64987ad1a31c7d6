using GpuSiamese.Host.Plots;

namespace GpuSiamese.Tests.Host.Plots;

public class RocPlotTests
{
    [Test]
    public void Writes_a_png_of_the_requested_size()
    {
        var (same, different) = PlotSamples.Distances(300);
        var (fpr, tpr, thresholds) = PlotSamples.Roc(same, different);
        int at = RunPlots.NearestThreshold(thresholds, 1.2);
        using var dir = new TempFolder();
        string png = PlotSamples.PathFor(dir, "roc.png");
        RocPlot.Save(png, fpr, tpr, 0.987, fpr[at], tpr[at], thresholds[at], 700, 560);
        PngAssert.IsImage(png, 700, 560);
    }

    [Test]
    public void The_marked_point_is_the_nearest_threshold()
    {
        Assert.That(RunPlots.NearestThreshold([double.NegativeInfinity, 0.1, 0.5, 0.9], 0.62), Is.EqualTo(2));
        Assert.That(RunPlots.NearestThreshold([double.NegativeInfinity, 0.1, 0.5, 0.9], 5), Is.EqualTo(3));
        Assert.Throws<ArgumentException>(() => RunPlots.NearestThreshold([], 1));
    }
}
