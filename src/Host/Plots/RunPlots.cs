using GpuSiamese.Model;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Output;

namespace GpuSiamese.Host.Plots;

/// <summary>Draws a run's plots from its outcome: the arrays are taken apart here, the drawing is in each plot's class.</summary>
public static class RunPlots
{
    public const int ErrorExamplesPerKind = 8;

    /// <summary>roc.png, distances.png and errors.png of a scored pair set, marking the model's threshold.</summary>
    public static void WriteEvaluation(string folder, PairScores scores, TestMetrics metrics, IReadOnlyList<RocPoint> roc)
    {
        var falsePositives = roc.Select(p => p.FalsePositiveRate).ToArray();
        var truePositives = roc.Select(p => p.TruePositiveRate).ToArray();
        int at = NearestThreshold(roc.Select(p => p.Threshold).ToArray(), metrics.Threshold);
        string rocPath = Path.Combine(folder, "roc.png");
        AtomicFile.Write(rocPath, temporary => RocPlot.Save(temporary, falsePositives, truePositives, metrics.Auc,
            falsePositives[at], truePositives[at], metrics.Threshold));

        var same = new List<double>();
        var different = new List<double>();
        for (int i = 0; i < scores.Labels.Length; i++)
            (scores.Labels[i] == 0 ? same : different).Add(scores.Distances[i]);
        string distancePath = Path.Combine(folder, "distances.png");
        AtomicFile.Write(distancePath, temporary => DistancePlot.Save(temporary, same.ToArray(), different.ToArray(), metrics.Threshold));

        if (scores.Images is not null)
        {
            var (accepts, rejects) = ErrorExamples.Worst(scores, metrics.Threshold, ErrorExamplesPerKind);
            string errorPath = Path.Combine(folder, "errors.png");
            AtomicFile.Write(errorPath, temporary => ErrorGallery.Save(temporary, accepts, rejects, metrics.Threshold));
        }
    }

    /// <summary>training.png from the per-epoch history.</summary>
    public static void WriteTraining(string folder, IReadOnlyList<EpochReport> history)
    {
        if (history.Count == 0) return;
        string path = Path.Combine(folder, "training.png");
        AtomicFile.Write(path, temporary => TrainingPlot.Save(temporary,
            history.Select(e => (double)e.Epoch).ToArray(),
            history.Select(e => e.MeanLoss).ToArray(),
            history.Select(e => e.TrainAccuracy).ToArray(),
            history.Select(e => e.ValidationAccuracy).ToArray()));
    }

    /// <summary>Index of the ROC point whose threshold is closest to <paramref name="threshold"/>.</summary>
    public static int NearestThreshold(double[] thresholds, double threshold)
    {
        if (thresholds.Length == 0) throw new ArgumentException("the ROC curve has no points", nameof(thresholds));
        int best = 0;
        for (int i = 1; i < thresholds.Length; i++)
            if (Math.Abs(thresholds[i] - threshold) < Math.Abs(thresholds[best] - threshold)) best = i;
        return best;
    }
}
