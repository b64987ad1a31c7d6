namespace GpuSiamese.Model.Training;

/// <summary>
/// The epochs so far and the best of them by validation AUC (its parameters and threshold), and early stopping:
/// the run stops once <see cref="TrainingConfig.EarlyStoppingPatience"/> epochs (0 = never) pass without a better one.
/// </summary>
public sealed class BestEpoch
{
    readonly List<EpochReport> _history = [];
    readonly int _patience;

    public BestEpoch(int patience) => _patience = patience;

    public IReadOnlyList<EpochReport> History => _history;

    /// <summary>The 1-based epoch with the best validation AUC so far (0 before the first).</summary>
    public int Epoch { get; private set; }

    public double ValidationAuc { get; private set; } = double.NaN;

    /// <summary>Parameters at <see cref="Epoch"/> (null before the first epoch ends).</summary>
    public float[]? Parameters { get; private set; }

    /// <summary>The network's non-trained state at <see cref="Epoch"/> (empty for a network without any; null before the first epoch ends).</summary>
    public float[]? State { get; private set; }

    /// <summary>The validation Youden threshold at <see cref="Epoch"/>.</summary>
    public double Threshold { get; private set; } = double.NaN;

    /// <summary>True once patience ran out before the run's last epoch.</summary>
    public bool StoppedEarly { get; private set; }

    /// <summary>
    /// Adds <paramref name="report"/>; when it is the best so far, keeps <paramref name="parameters"/>() (not called
    /// otherwise; null when restoring history, whose best parameters come separately). <paramref name="isLastEpoch"/>:
    /// the run has no steps left, so there is nothing to stop.
    /// </summary>
    public void Add(EpochReport report, Func<float[]>? parameters, bool isLastEpoch, Func<float[]>? state = null)
    {
        _history.Add(report);
        if (Epoch == 0 || report.ValidationAuc > ValidationAuc)
        {
            Epoch = report.Epoch;
            ValidationAuc = report.ValidationAuc;
            Threshold = report.Threshold;
            if (parameters is not null) Parameters = parameters();
            if (state is not null) State = state();
        }
        else if (_patience > 0 && report.Epoch - Epoch >= _patience && !isLastEpoch)
        {
            StoppedEarly = true;
        }
    }

    /// <summary>
    /// Back to no epochs, then <paramref name="history"/> replayed (<paramref name="finished"/>: the run has no steps
    /// left) and <paramref name="bestParameters"/> kept.
    /// </summary>
    public void Restore(IReadOnlyList<EpochReport> history, float[]? bestParameters, bool finished, float[]? bestState = null)
    {
        _history.Clear();
        Parameters = null;
        State = null;
        Epoch = 0;
        ValidationAuc = double.NaN;
        Threshold = double.NaN;
        StoppedEarly = false;
        foreach (var report in history) Add(report, null, isLastEpoch: finished);
        Parameters = bestParameters?.ToArray();
        State = bestState?.ToArray() ?? (bestParameters is null ? null : []);
    }
}
