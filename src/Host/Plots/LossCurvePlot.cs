using System.Globalization;
using GpuSiamese.Kernels.Reference;
using ScottPlot;

namespace GpuSiamese.Host.Plots;

/// <summary>
/// loss-vs-distance: the bounded contrastive loss (Chopra 2005) against E_w for same pairs (Y = 0, solid) and
/// different pairs (Y = 1, dashed), one colour per Q. The curves come from the reference loss itself.
/// </summary>
public static class LossCurvePlot
{
    public static void Save(string path, double[] qs, double maxDistance, int width = 900, int height = 600, int points = 400)
    {
        double[] distances = Enumerable.Range(0, points).Select(i => maxDistance * i / (points - 1)).ToArray();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int k = 0; k < qs.Length; k++)
        {
            double q = qs[k];
            Color color = palette.GetColor(k);
            string name = string.Create(CultureInfo.InvariantCulture, $"Q = {q:G4}");
            var same = plot.Add.ScatterLine(distances, Loss(distances, 0, q));
            same.Color = color;
            same.LineWidth = 2;
            same.LegendText = name + ", same (Y = 0)";
            var different = plot.Add.ScatterLine(distances, Loss(distances, 1, q));
            different.Color = color;
            different.LineWidth = 2;
            different.LinePattern = LinePattern.Dashed;
            different.LegendText = name + ", different (Y = 1)";
        }
        plot.Title("Bounded contrastive loss L = (1−Y)·(2/Q)·E² + Y·2Q·exp(−2.77·E/Q)");
        plot.XLabel("E_w (distance between the two embeddings)");
        plot.YLabel("loss of one pair");
        // Same-pair parabolas grow without bound; cap the view where the different-pair curves start.
        double top = 2 * qs.Max() * 1.05;
        plot.Axes.SetLimits(0, maxDistance, 0, top);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }

    static double[] Loss(double[] distances, int label, double q)
    {
        var labels = Enumerable.Repeat(label, distances.Length).ToArray();
        var loss = new double[distances.Length];
        ContrastiveLoss.BoundedForward(distances, labels, loss, distances.Length, q);
        return loss;
    }
}
