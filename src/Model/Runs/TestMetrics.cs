using System.Text.Json;
using System.Text.Json.Serialization;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// The figures of a scored pair set ("same" = positive class, score −E_w), as printed and as metrics.json's "test"
/// records them. <see cref="Threshold"/> is the model's own (chosen on validation) and <see cref="AccuracyAtThreshold"/>
/// the accuracy it gives on this set; the Youden pair is this set's best threshold, −∞ when no threshold separates the
/// classes (Youden's J ≤ 0 everywhere: a degenerate set or a useless model), which metrics.json writes as null.
/// <see cref="TarAtFar"/> is this set's TAR at each of <see cref="Roc.StandardFars"/> it has enough different pairs for.
/// </summary>
public sealed record TestMetrics(
    int Pairs,
    int SamePairs,
    int DifferentPairs,
    double Auc,
    [property: JsonConverter(typeof(NullWhenNotFinite))] double YoudenThreshold,
    double YoudenAccuracy,
    double Eer,
    double Threshold,
    double AccuracyAtThreshold,
    IReadOnlyList<OperatingPoint> TarAtFar)
{
    /// <summary>The figures of <paramref name="distances"/> (labels 0 = same) and the ROC curve they come from.</summary>
    public static (TestMetrics Metrics, IReadOnlyList<RocPoint> Roc) Of(float[] distances, int[] labels, double threshold)
    {
        ArgumentNullException.ThrowIfNull(distances);
        ArgumentNullException.ThrowIfNull(labels);
        var m = Roc.Analyze(distances, labels);
        int same = labels.Count(l => l == 0);
        var curve = Roc.Curve(distances, labels);
        var metrics = new TestMetrics(labels.Length, same, labels.Length - same, m.Auc, m.YoudenThreshold, m.YoudenAccuracy,
            m.EqualErrorRate, threshold, Roc.AccuracyAt(distances, labels, threshold), Roc.OperatingPoints(curve, labels.Length - same));
        return (metrics, curve);
    }
}

/// <summary>A number that only means something when finite: JSON null otherwise (read back as −∞).</summary>
public sealed class NullWhenNotFinite : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NegativeInfinity : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }

    public override bool HandleNull => true;
}
