using GpuSiamese.Model;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Output;

namespace GpuSiamese.Host.Plots;

/// <summary>Draws a run's plots from its outcome: the arrays are taken apart here, the drawing is in each plot's class.</summary>
public static class RunPlots
{
    public const int ErrorExamplesPerKind = 8;

    /// <summary>
    /// roc.png, distances.png and errors.png of a scored pair set, marking the model's threshold; <paramref name="noun"/>
    /// names a class ("digit" for MNIST), <paramref name="shape"/> the images (MNIST's 1x14x14 by default).
    /// </summary>
    public static void WriteEvaluation(string folder, PairScores scores, TestMetrics metrics, IReadOnlyList<RocPoint> roc,
        string noun = "digit", GpuSiamese.Data.ImageShape? shape = null)
    {
        var falsePositives = roc.Select(p => p.FalsePositiveRate).ToArray();
        var truePositives = roc.Select(p => p.TruePositiveRate).ToArray();
        int at = NearestThreshold(roc.Select(p => p.Threshold).ToArray(), metrics.Threshold);
        string rocPath = Path.Combine(folder, "roc.png");
        AtomicFile.Write(rocPath, temporary => RocPlot.Save(temporary, falsePositives, truePositives, metrics.Auc,
            falsePositives[at], truePositives[at], metrics.Threshold, noun: noun,
            operatingPoints: [.. metrics.TarAtFar.Select(p => (p.Far, p.Tar))]));

        var same = new List<double>();
        var different = new List<double>();
        for (int i = 0; i < scores.Labels.Length; i++)
            (scores.Labels[i] == 0 ? same : different).Add(scores.Distances[i]);
        string distancePath = Path.Combine(folder, "distances.png");
        AtomicFile.Write(distancePath, temporary => DistancePlot.Save(temporary, same.ToArray(), different.ToArray(), metrics.Threshold, noun: noun));

        if (scores.Images is not null)
        {
            var (accepts, rejects) = ErrorExamples.Worst(scores, metrics.Threshold, ErrorExamplesPerKind);
            string errorPath = Path.Combine(folder, "errors.png");
            AtomicFile.Write(errorPath, temporary => ErrorGallery.Save(temporary, accepts, rejects, metrics.Threshold, shape, noun));
        }
    }

    /// <summary>embeddings.png: the test embeddings on their two principal axes, a colour per class, unseen classes marked.</summary>
    public static void WriteEmbeddings(string folder, ClassFigures classes)
    {
        var map = classes.Map;
        string title = $"Test embeddings of {Path.GetFileName(classes.Dataset.TrimEnd('/', '\\'))}, first two principal axes";
        AtomicFile.Write(Path.Combine(folder, "embeddings.png"), temporary =>
            EmbeddingPlot.Save(temporary, map.X, map.Y, map.Labels, classes.ClassNames, map.UnseenClass, title));
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
