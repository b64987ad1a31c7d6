using GpuSiamese.Host.Plots;

namespace GpuSiamese.Tests.Host.Plots;

public class TrainingPlotTests
{
    [TestCase(1)]
    [TestCase(5)]
    public void Writes_a_png_for_any_number_of_epochs(int epochs)
    {
        double[] e = Enumerable.Range(1, epochs).Select(i => (double)i).ToArray();
        using var dir = new TempFolder();
        string png = PlotSamples.PathFor(dir, $"training-{epochs}.png");
        TrainingPlot.Save(png, e, e.Select(i => 0.6 / i).ToArray(), e.Select(i => 0.9 + 0.015 * i).ToArray(),
            e.Select(i => 0.89 + 0.014 * i).ToArray(), 800, 520);
        PngAssert.IsImage(png, 800, 520);
    }
}
