using ScottPlot;

namespace GpuSiamese.Host.Plots;

/// <summary>
/// embeddings.png: the test embeddings projected on their two leading principal axes (Hadsell, Chopra, LeCun 2006's
/// figure), a colour per class with a legend; classes held out of training are drawn as open circles and named
/// "(unseen)". At most <see cref="MaxLegendClasses"/> classes are named in the legend; colours repeat after the palette's ten.
/// </summary>
public static class EmbeddingPlot
{
    public const int MaxLegendClasses = 20;

    /// <param name="x">first coordinate of each image</param>
    /// <param name="y">second coordinate of each image</param>
    /// <param name="labels">each image's class</param>
    /// <param name="classNames">names by class index</param>
    /// <param name="unseen">true for each class held out of training</param>
    public static void Save(string path, double[] x, double[] y, int[] labels, IReadOnlyList<string> classNames, bool[] unseen,
        string title, int width = 900, int height = 760)
    {
        if (x.Length != y.Length || x.Length != labels.Length)
            throw new ArgumentException($"expected one x, y and label per image, got {x.Length}, {y.Length}, {labels.Length}");
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int named = 0, classes = 0;
        for (int c = 0; c < classNames.Count; c++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] == c)
                {
                    xs.Add(x[i]);
                    ys.Add(y[i]);
                }
            if (xs.Count == 0)
                continue;
            classes++;
            var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
            points.Color = palette.GetColor(c).WithAlpha(unseen[c] ? 0.9 : 0.55);
            points.MarkerShape = unseen[c] ? MarkerShape.OpenCircle : MarkerShape.FilledCircle;
            points.MarkerSize = unseen[c] ? 6 : 4;
            if (named < MaxLegendClasses)
            {
                points.LegendText = classNames[c] + (unseen[c] ? " (unseen)" : "");
                named++;
            }
        }
        plot.Title(title + (classes > named ? $" — {named} of {classes} classes named" : ""));
        plot.XLabel("first principal axis");
        plot.YLabel("second principal axis");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }
}
