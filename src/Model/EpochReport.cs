using System.Text.Json.Serialization;

namespace GpuSiamese.Model;

/// <summary>
/// The figures of one finished epoch, as the trainer reports them, the checkpoint keeps them, training.png draws them
/// and metrics.json's "epochs" records them. Accuracies are pair accuracies at <see cref="Threshold"/>, the Youden
/// point of the validation ROC, on the trainer's fixed balanced monitor sets.
/// </summary>
public sealed record EpochReport(
    int Epoch,
    double MeanLoss,
    double TrainAccuracy,
    double ValidationAccuracy,
    double ValidationAuc,
    double Threshold,
    double LearningRate,
    [property: JsonPropertyOrder(2)] double PairsPerSecond,
    [property: JsonIgnore] TimeSpan EpochTime,
    [property: JsonIgnore] TimeSpan Elapsed)
{
    /// <summary>The epoch's wall-clock seconds (its steps and the monitor's scoring).</summary>
    [JsonPropertyOrder(1)]
    public double Seconds => EpochTime.TotalSeconds;
}
