using System.Globalization;

namespace GpuSiamese.Host.Progress;

/// <summary>The words of a progress report, shared by the live and the plain display.</summary>
public static class ProgressText
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string EpochLabel(EpochProgress p) => string.Create(C, $"epoch {p.Epoch}/{p.Epochs}");

    /// <summary>Mid-epoch: "loss 0.2345  41,200 pairs/s".</summary>
    public static string Running(EpochProgress p) =>
        string.Create(C, $"loss {p.MeanLoss:F4}  {p.PairsPerSecond:N0} pairs/s");

    /// <summary>Epoch end: "loss 0.1234  train acc 0.9512  val acc 0.9488  41,200 pairs/s  9.8 s".</summary>
    public static string Finished(EpochProgress p) =>
        string.Create(C, $"loss {p.MeanLoss:F4}  train acc {p.TrainAccuracy:F4}  val acc {p.ValidationAccuracy:F4}  {p.PairsPerSecond:N0} pairs/s  {p.Elapsed.TotalSeconds:F1} s");

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", C) : t.ToString(@"m\:ss", C);
}
