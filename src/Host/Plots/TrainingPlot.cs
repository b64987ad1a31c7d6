using ScottPlot;

namespace GpuSiamese.Host.Plots;

/// <summary>training.png: mean loss per epoch (left axis) and train/validation pair accuracy (right axis).</summary>
public static class TrainingPlot
{
    public static void Save(string path, double[] epochs, double[] meanLoss, double[] trainAccuracy,
        double[] validationAccuracy, int width = 800, int height = 520)
    {
        var plot = new Plot();
        var loss = plot.Add.Scatter(epochs, meanLoss);
        loss.LegendText = "mean loss (left axis)";
        loss.Color = Colors.C0;
        loss.LineWidth = 2;
        loss.MarkerSize = 8;

        var train = plot.Add.Scatter(epochs, trainAccuracy);
        train.LegendText = "train accuracy (right axis)";
        train.Color = Colors.C1;
        train.LineWidth = 2;
        train.MarkerSize = 8;
        train.Axes.YAxis = plot.Axes.Right;

        var validation = plot.Add.Scatter(epochs, validationAccuracy);
        validation.LegendText = "validation accuracy (right axis)";
        validation.Color = Colors.C2;
        validation.LineWidth = 2;
        validation.MarkerSize = 8;
        validation.LinePattern = LinePattern.Dashed;
        validation.Axes.YAxis = plot.Axes.Right;

        plot.Title("Training");
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "mean loss";
        plot.Axes.Right.Label.Text = "pair accuracy";
        // Whole epochs only on the x axis.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            epochs.Select(e => new Tick(e, e.ToString("0", System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        double pad = 0.25;
        plot.Axes.SetLimitsX(epochs.Min() - pad, epochs.Max() + pad);
        // Loss from zero; accuracy up to 1 from a little under its lowest value, so one epoch still reads right.
        double topLoss = meanLoss.Where(double.IsFinite).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, topLoss > 0 ? topLoss * 1.1 : 1, plot.Axes.Left);
        double lowest = trainAccuracy.Concat(validationAccuracy).Where(double.IsFinite).DefaultIfEmpty(0).Min();
        plot.Axes.SetLimitsY(Math.Max(0, lowest - 0.05), 1.005, plot.Axes.Right);
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, width, height);
    }
}
