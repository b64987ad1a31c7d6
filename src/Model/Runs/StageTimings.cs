namespace GpuSiamese.Model.Runs;

/// <summary>
/// Wall-clock seconds of each stage of a training run, as metrics.json's "timings" records them: loading and splitting
/// the data, training, scoring the test set and the recognition protocols, and the whole run (the host adds its own
/// output to <see cref="TotalSeconds"/>).
/// </summary>
public sealed record StageTimings(double DataSeconds, double TrainingSeconds, double EvaluationSeconds, double TotalSeconds);
