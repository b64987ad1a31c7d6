using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Training;

/// <summary>
/// The per-epoch figures: validation ROC (AUC, the threshold — Youden's or at --far — and accuracy) and the train accuracy at that
/// threshold, each on a fixed balanced pair set of about <see cref="TrainingConfig.MonitorPairs"/> pairs drawn once
/// from the run's seed (validation set first, then the train subset).
/// </summary>
public sealed class EpochMonitor : IDisposable
{
    readonly ImageTable _trainTable, _validationTable;
    readonly PairSet _trainPairs, _validationPairs;
    readonly double _far;

    /// <summary><paramref name="far"/>: the threshold's false-accept rate on the validation pairs (0 = the Youden point).</summary>
    public EpochMonitor(IBackend backend, ImageTable trainTable, ImageSet train, ImageSet validation, int monitorPairs, Rng rng, double far = 0)
    {
        _far = far;
        _trainTable = trainTable;
        _validationTable = ImageTable.Of(backend, validation);
        _validationPairs = BalancedPairSet.CreateForMonitor(validation.IndicesByClass(), rng.Fork(), monitorPairs);
        if (!_validationPairs.HasBothKinds)
            throw new ArgumentException($"the validation split ({validation.Count} images) cannot form both same-class and different-class " +
                "pairs for the per-epoch check: give --validation a larger fraction or use classes with at least four training images");
        int negatives = _validationPairs.Labels.Count(l => l != 0);
        if (far > 0 && negatives < Roc.NegativesNeededFor(far))
            throw new ArgumentException($"--far {Settings.SettingFormats.FormatNumber(far)} needs at least {Roc.NegativesNeededFor(far):N0} different-class validation pairs " +
                $"to measure, the monitor has {negatives:N0}: raise --monitor-pairs to {2 * Roc.NegativesNeededFor(far)} or choose a larger --far", "--far");
        _trainPairs = BalancedPairSet.CreateForMonitor(train.IndicesByClass(), rng.Fork(), monitorPairs);
    }

    /// <summary>Pairs in the larger of the two sets (what an evaluator must hold at once).</summary>
    public int LargestSet => Math.Max(_validationPairs.Count, _trainPairs.Count);

    /// <summary>The figures of the network as <paramref name="evaluator"/> scores it now.</summary>
    public (double Auc, double Threshold, double ValidationAccuracy, double TrainAccuracy) Measure(Evaluator evaluator)
    {
        var validationDistances = evaluator.Distances(_validationTable, _validationPairs);
        var metrics = Roc.Analyze(validationDistances, _validationPairs.Labels);
        var trainDistances = evaluator.Distances(_trainTable, _trainPairs);
        double threshold = _far > 0 ? Roc.AtFar(Roc.Curve(validationDistances, _validationPairs.Labels), _far).Threshold : metrics.YoudenThreshold;
        double validationAccuracy = _far > 0 ? Roc.AccuracyAt(validationDistances, _validationPairs.Labels, threshold) : metrics.YoudenAccuracy;
        return (metrics.Auc, threshold, validationAccuracy, Roc.AccuracyAt(trainDistances, _trainPairs.Labels, threshold));
    }

    public void Dispose() => _validationTable.Dispose();
}
