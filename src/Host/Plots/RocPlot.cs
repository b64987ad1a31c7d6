using System.Globalization;
using ScottPlot;

namespace GpuSiamese.Host.Plots;

/// <summary>roc.png: the ROC curve ("same digit" positive), the chance diagonal, AUC in the title and the chosen threshold's point.</summary>
public static class RocPlot
{
    public static void Save(string path, double[] falsePositiveRates, double[] truePositiveRates, double auc,
        double thresholdFpr, double thresholdTpr, double threshold, int width = 800, int height = 640, string noun = "digit",
        IReadOnlyList<(double Far, double Tar)>? operatingPoints = null)
    {
        string plural = noun == "class" ? "classes" : noun + "s";
        var c = CultureInfo.InvariantCulture;
        var plot = new Plot();
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        chance.LegendText = "chance";

        var curve = plot.Add.ScatterLine(falsePositiveRates, truePositiveRates);
        curve.LineWidth = 2;
        curve.Color = Colors.C0;
        curve.LegendText = string.Create(c, $"ROC (AUC = {auc:F4})");

        var point = plot.Add.Marker(thresholdFpr, thresholdTpr, MarkerShape.FilledCircle, 12, Colors.OrangeRed);
        point.LegendText = string.Create(c, $"threshold E_w ≤ {threshold:F3}: FPR {thresholdFpr:F3}, TPR {thresholdTpr:F3}");

        // TAR at each standard FAR it could measure (near the curve's left end; the legend gives the figures).
        var shapes = new[] { MarkerShape.FilledSquare, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleUp };
        int s = 0;
        foreach (var (far, tar) in operatingPoints ?? [])
        {
            var m = plot.Add.Marker(far, tar, shapes[s++ % shapes.Length], 10, Colors.DarkGreen);
            m.LegendText = string.Create(c, $"TAR {tar:F4} at FAR {far:0.####}");
        }

        plot.Title(string.Create(c, $"ROC, same {noun} = positive — AUC {auc:F4}"));
        plot.XLabel($"false positive rate (different {plural} called same)");
        plot.YLabel($"true positive rate (same {plural} called same)");
        plot.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }
}
