namespace GpuSiamese.Tests.Host.Plots;

/// <summary>
/// Plausible inputs for the plots (seeded): same-digit distances near 0.6, different-digit near 2, and the ROC of
/// those distances computed by a plain sweep. Setting GPUSIAMESE_KEEP_PLOTS to a folder keeps the PNGs to look at.
/// </summary>
public static class PlotSamples
{
    public static (double[] Same, double[] Different) Distances(int perClass = 2000)
    {
        var random = new Random(5);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var same = Enumerable.Range(0, perClass).Select(_ => Math.Abs(0.6 + 0.35 * Gauss())).ToArray();
        var different = Enumerable.Range(0, perClass).Select(_ => Math.Abs(2.0 + 0.6 * Gauss())).ToArray();
        return (same, different);
    }

    /// <summary>FPR and TPR of "same when E ≤ t" for every t among the distances, smallest t first, from (0,0) to (1,1).</summary>
    public static (double[] Fpr, double[] Tpr, double[] Thresholds) Roc(double[] same, double[] different)
    {
        var thresholds = same.Concat(different).Distinct().Order().ToArray();
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        var ts = new List<double> { double.NegativeInfinity };
        foreach (double t in thresholds)
        {
            fpr.Add(different.Count(d => d <= t) / (double)different.Length);
            tpr.Add(same.Count(d => d <= t) / (double)same.Length);
            ts.Add(t);
        }
        return (fpr.ToArray(), tpr.ToArray(), ts.ToArray());
    }

    public static string PathFor(TempFolder dir, string name)
    {
        string? keep = Environment.GetEnvironmentVariable("GPUSIAMESE_KEEP_PLOTS");
        if (string.IsNullOrEmpty(keep)) return dir.File(name);
        Directory.CreateDirectory(keep);
        return Path.Combine(keep, name);
    }
}
