using System.Globalization;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Host.Output;

/// <summary>The figures a person reads at the end of train and eval, as aligned "name  value" lines.</summary>
public static class MetricsReport
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void WriteTest(TextWriter output, string accelerator, TestMetrics m)
    {
        Line(output, "accelerator", accelerator);
        Line(output, "test pairs", string.Create(C, $"{m.Pairs} ({m.SamePairs} same digit, {m.DifferentPairs} different)"));
        Line(output, "AUC", m.Auc.ToString("F4", C));
        Line(output, "Youden", double.IsFinite(m.YoudenThreshold)
            ? string.Create(C, $"threshold {m.YoudenThreshold:F4}  accuracy {m.YoudenAccuracy:F4}")
            : string.Create(C, $"none: no threshold separates same-digit from different-digit pairs (accuracy {m.YoudenAccuracy:F4} calling every pair different)"));
        Line(output, "EER", m.Eer.ToString("F4", C));
        Line(output, "model threshold", string.Create(C, $"{m.Threshold:F4}  accuracy {m.AccuracyAtThreshold:F4}"));
    }

    /// <summary>The one-shot and identification lines, for the protocols that were run.</summary>
    public static void WriteRecognition(TextWriter output, RecognitionFigures? figures)
    {
        if (figures?.OneShot is { } o)
            Line(output, "one-shot", string.Create(C, $"{o.Ways}-way {o.Accuracy:F4} (95% CI {o.Low:F4}-{o.High:F4}, {o.Trials} trials, chance {1.0 / o.Ways:F4})"));
        if (figures?.Identification is { } i)
            Line(output, "identification", string.Create(C,
                $"accuracy {i.Accuracy:F4}  unknown {i.UnknownRate:F4}  answered accuracy {i.AnsweredAccuracy:F4} ({i.GalleryPerDigit} per digit, {i.Probes} probes, unknown above {i.Threshold:F4})"));
    }

    public static void WriteRun(TextWriter output, StageTimings t, double totalSeconds, long peakRssBytes, string runFolder)
    {
        Line(output, "training", string.Create(C, $"{t.TrainingSeconds:F1} s (data {t.DataSeconds:F1} s, evaluation {t.EvaluationSeconds:F1} s, total {totalSeconds:F1} s)"));
        Line(output, "peak memory", string.Create(C, $"{peakRssBytes / (1024.0 * 1024.0):F0} MiB"));
        Line(output, "run folder", runFolder);
    }

    public static void Line(TextWriter output, string name, string value) => output.WriteLine($"{name,-16}{value}");
}
