using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Progress;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// The real engine, with Ctrl+C pressed (the cancellation token fired) as soon as the trainer has reported
/// <paramref name="afterReports"/> progress records: a deterministic interruption at a chosen step.
/// </summary>
public sealed class InterruptingJobs(int afterReports) : IModelJobs
{
    readonly ModelJobs _engine = new();

    public TrainingOutcome Train(TrainOptions options, string checkpointPath, Action<string> log,
        IProgress<EpochProgress> progress, CancellationToken cancel)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        int reports = 0;
        var counting = new Counting(p =>
        {
            progress.Report(p);
            if (++reports == afterReports) interrupt.Cancel();
        });
        return _engine.Train(options, checkpointPath, log, counting, interrupt.Token);
    }

    public EvaluationOutcome Evaluate(EvalOptions options, Action<string> log, CancellationToken cancel) =>
        _engine.Evaluate(options, log, cancel);

    public ComparisonOutcome Compare(CompareOptions options) => _engine.Compare(options);

    public EmbeddingOutcome Embed(EmbedOptions options, Action<string> log, CancellationToken cancel) =>
        _engine.Embed(options, log, cancel);

    public IReadOnlyList<DeviceDescription> ListDevices() => _engine.ListDevices();

    sealed class Counting(Action<EpochProgress> report) : IProgress<EpochProgress>
    {
        public void Report(EpochProgress value) => report(value);
    }
}
