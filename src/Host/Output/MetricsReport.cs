using System.Globalization;
using GpuSiamese.Model;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Host.Output;

/// <summary>The figures a person reads at the end of train and eval, as aligned "name  value" lines.</summary>
public static class MetricsReport
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void WriteTest(TextWriter output, string accelerator, TestMetrics m, string noun = "digit")
    {
        Line(output, "accelerator", accelerator);
        Line(output, "test pairs", string.Create(C, $"{m.Pairs} ({m.SamePairs} same {noun}, {m.DifferentPairs} different)"));
        Line(output, "AUC", m.Auc.ToString("F4", C));
        Line(output, "Youden", double.IsFinite(m.YoudenThreshold)
            ? string.Create(C, $"threshold {m.YoudenThreshold:F4}  accuracy {m.YoudenAccuracy:F4}")
            : string.Create(C, $"none: no threshold separates same-{noun} from different-{noun} pairs (accuracy {m.YoudenAccuracy:F4} calling every pair different)"));
        Line(output, "EER", m.Eer.ToString("F4", C));
        if (m.TarAtFar.Count > 0)
            Line(output, "TAR@FAR", string.Join("  ", m.TarAtFar.Select(p => string.Create(C, $"{p.Far:0.####} {p.Tar:F4}"))));
        else
            Line(output, "TAR@FAR", string.Create(C, $"none: {m.DifferentPairs} different-{noun} pairs cannot measure FAR {Roc.StandardFars[0]} (fewer than {Roc.NegativesNeededFor(Roc.StandardFars[0])})"));
        Line(output, "model threshold", string.Create(C, $"{m.Threshold:F4}  accuracy {m.AccuracyAtThreshold:F4}"));
    }

    /// <summary>The one-shot and identification lines, for the protocols that were run.</summary>
    public static void WriteRecognition(TextWriter output, RecognitionFigures? figures, string noun = "digit")
    {
        if (figures?.OneShot is { } o)
            Line(output, "one-shot", string.Create(C, $"{o.Ways}-way {o.Accuracy:F4} (95% CI {o.Low:F4}-{o.High:F4}, {o.Trials} trials, chance {1.0 / o.Ways:F4})"));
        if (figures?.Identification is { } i)
            Line(output, "identification", string.Create(C,
                $"accuracy {i.Accuracy:F4}  unknown {i.UnknownRate:F4}  answered accuracy {i.AnsweredAccuracy:F4} ({i.GalleryPerDigit} per {noun}, {i.Probes} probes, unknown above {i.Threshold:F4})  rank-1 {i.Accuracy:F4}, {MissAt(i)}"));
    }

    /// <summary>The dataset's lines: classes, those held out, the test protocol, notes, and the figures on seen and unseen classes.</summary>
    public static void WriteClasses(TextWriter output, ClassFigures? c)
    {
        if (c is null) return;
        var names = c.ClassNames;
        Line(output, "dataset", string.Create(C, $"{c.Dataset}: {names.Count} classes ({string.Join(", ", names.Take(12))}{(names.Count > 12 ? ", …" : "")})"));
        if (c.HeldOut.Count > 0)
            Line(output, "held out", string.Join(", ", c.HeldOut));
        Line(output, "test protocol", c.TestProtocol);
        foreach (var note in c.Notes)
            Line(output, "note", note);
        ClassSet(output, c.HeldOut.Count > 0 ? "seen classes" : "test classes", c.Seen);
        if (c.Unseen is { } u)
            ClassSet(output, "unseen classes", u);
        if (c.UnseenIdentification is { } i)
            Line(output, "unseen ident.", string.Create(C,
                $"accuracy {i.Accuracy:F4}  unknown {i.UnknownRate:F4}  answered accuracy {i.AnsweredAccuracy:F4} ({i.GalleryPerDigit} per class from the unseen images, {i.Probes} probes, unknown above {i.Threshold:F4})"));
    }

    static void ClassSet(TextWriter output, string name, ClassSetMetrics m)
    {
        string oneShot = m.OneShot is { } o ? string.Create(C, $"  {o.Ways}-way one-shot {o.Accuracy:F4}") : "";
        Line(output, name, string.Create(C,
            $"{m.Classes} classes, {m.Images} images: {(m.Verification is { } v ? string.Create(C, $"AUC {v.Auc:F4}") : "AUC none (no pairs of two classes)")}{oneShot}  P@1 {m.Retrieval.PrecisionAt1:F4}  R-precision {m.Retrieval.RPrecision:F4}  MAP@R {m.Retrieval.MapAtR:F4}"));
    }

    public static void WriteRun(TextWriter output, StageTimings t, double totalSeconds, long peakRssBytes, string runFolder)
    {
        Line(output, "training", string.Create(C, $"{t.TrainingSeconds:F1} s (data {t.DataSeconds:F1} s, evaluation {t.EvaluationSeconds:F1} s, total {totalSeconds:F1} s)"));
        Line(output, "peak memory", string.Create(C, $"{peakRssBytes / (1024.0 * 1024.0):F0} MiB"));
        Line(output, "run folder", runFolder);
    }

    /// <summary>The open-set miss rate at the fixed FPIR, or why there is none.</summary>
    static string MissAt(IdentificationResult i) => double.IsNaN(i.MissRateAtFpir)
        ? string.Create(C, $"miss@FPIR {i.Fpir} none (fewer than {Roc.NegativesNeededFor(i.Fpir)} probes)")
        : string.Create(C, $"miss@FPIR {i.Fpir} {i.MissRateAtFpir:F4}");

    public static void Line(TextWriter output, string name, string value) => output.WriteLine($"{name,-16}{value}");
}
