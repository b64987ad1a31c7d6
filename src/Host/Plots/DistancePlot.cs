using System.Globalization;
using ScottPlot;

namespace GpuSiamese.Host.Plots;

/// <summary>distances.png: histograms of E_w for same-digit and different-digit pairs on shared bins, with the threshold.</summary>
public static class DistancePlot
{
    public static void Save(string path, double[] sameDistances, double[] differentDistances, double threshold,
        int bins = 60, int width = 800, int height = 520, string noun = "digit")
    {
        string plural = noun == "class" ? "classes" : noun + "s";
        double max = Math.Max(threshold, Max(sameDistances, differentDistances));
        if (max <= 0) max = 1;
        var plot = new Plot();
        AddHistogram(plot, sameDistances, bins, max, Colors.C0, $"same {noun} (Y = 0)");
        AddHistogram(plot, differentDistances, bins, max, Colors.C1, $"different {plural} (Y = 1)");

        var line = plot.Add.VerticalLine(threshold, 2, Colors.Black, LinePattern.Dashed);
        line.LegendText = string.Create(CultureInfo.InvariantCulture, $"threshold {threshold:F3}");

        plot.Title("Distances E_w of the test pairs");
        plot.XLabel("E_w");
        plot.YLabel("pairs per bin");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }

    static double Max(double[] a, double[] b) =>
        Math.Max(a.Length > 0 ? a.Max() : 0, b.Length > 0 ? b.Max() : 0);

    static void AddHistogram(Plot plot, double[] values, int bins, double max, Color color, string label)
    {
        var histogram = ScottPlot.Statistics.Histogram.WithBinCount(bins, 0, max * 1.0001);
        histogram.AddRange(values);
        var bars = new List<Bar>(bins);
        for (int b = 0; b < histogram.Counts.Length; b++)
        {
            bars.Add(new Bar
            {
                Position = (histogram.Edges[b] + histogram.Edges[b + 1]) / 2,
                Size = histogram.FirstBinSize,
                Value = histogram.Counts[b],
                FillColor = color.WithAlpha(0.55),
                LineWidth = 0,
            });
        }
        var plottable = plot.Add.Bars(bars);
        plottable.LegendText = label;
        plottable.Color = color.WithAlpha(0.55);
    }
}
