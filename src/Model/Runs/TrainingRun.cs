using System.Diagnostics;
using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// The run pipeline of <c>train</c>, the same for the host, the profiler and the tests: check the request, load and split
/// the data (<see cref="RunData"/>), train (a checkpoint at each epoch's end, on interruption and at the end), keep the
/// best epoch when early stopping is on, score the test pairs, run the recognition protocols, and return one
/// <see cref="TrainingOutcome"/>. <see cref="Execute"/> does all of it; the stages are public for the profiler, which times
/// them one by one.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Checkpoint? _resume;
    RunData? _data;
    Trainer? _trainer;
    double _dataSeconds, _trainSeconds;
    int _savedEpoch; // the epoch whose checkpoint is on disk (0: none yet)

    /// <summary>
    /// Checks the request before any device or data is touched: the settings, and the resume checkpoint, which must
    /// hold resume state and have been trained with the same settings.
    /// </summary>
    public TrainingRun(TrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        var config = request.Training;
        if (request.Resume is not null)
        {
            _resume = CheckpointFile.LoadForInference(request.Resume, config.Network);
            if (_resume.Resume is null)
                throw new InvalidDataException($"checkpoint '{request.Resume}': it holds no resume state (saved for scoring only)");
            if (_resume.Training with { } != config)
                throw new ArgumentException($"--resume '{request.Resume}': the checkpoint was trained with other options; give the same options as that run");
        }
        config.Validate();
    }

    public TrainingRequest Request { get; }

    TrainingConfig Config => Request.Training;

    /// <summary>The run's data (after <see cref="Prepare"/>).</summary>
    public RunData Data => _data ?? throw new InvalidOperationException("the run is not prepared yet (Prepare)");

    /// <summary>The run's trainer (after <see cref="Prepare"/>).</summary>
    public Trainer Trainer => _trainer ?? throw new InvalidOperationException("the run is not prepared yet (Prepare)");

    /// <summary>All stages on <paramref name="backend"/>, which the caller creates (after this run's constructor, so that a wrong request is refused before a device is opened) and disposes.</summary>
    public TrainingOutcome Execute(IBackend backend, string? checkpointPath, Action<string> log,
        IProgress<StepProgress>? progress = null, Action<EpochReport>? epochCompleted = null, CancellationToken cancel = default)
    {
        Prepare(backend, log);
        Train(checkpointPath, log, progress, epochCompleted, cancel);
        return Evaluate(log);
    }

    /// <summary>Loads and splits the data and builds the trainer on <paramref name="backend"/>, restored from the resume checkpoint if any.</summary>
    public void Prepare(IBackend backend, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(log);
        if (_trainer is not null) throw new InvalidOperationException("the run is prepared already");
        _data = RunData.Load(Request.DataDir, Config, log, Request.PositivesPerDigit, Request.NegativesPerPair);
        foreach (var note in _data.Notes) log(note);
        _dataSeconds = _clock.Elapsed.TotalSeconds;
        _trainer = new Trainer(backend, Config, _data.Train, _data.Validation, _data.TrainerRng)
        {
            Preprocessing = _data.Preprocessing,
            ClassNames = _data.ClassNames,
        };
        if (_resume is not null)
        {
            _trainer.Restore(_resume.Parameters, _resume.Resume!, _resume.Threshold, _resume.State);
            log($"resuming {Request.Resume} at step {_trainer.Step} of {_trainer.TotalSteps}");
        }
    }

    /// <summary>
    /// Trains the remaining steps. With a <paramref name="checkpointPath"/>: a checkpoint after each epoch (reported to
    /// <paramref name="epochCompleted"/> first), at the end (the best epoch's when early stopping is on) and, on
    /// cancellation, of the current step (then <see cref="OperationCanceledException"/> is thrown). A failed write or a
    /// divergence says which checkpoint is kept.
    /// </summary>
    public void Train(string? checkpointPath, Action<string> log, IProgress<StepProgress>? progress = null,
        Action<EpochReport>? epochCompleted = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var trainer = Trainer;
        var trainClock = Stopwatch.StartNew();
        try
        {
            trainer.Train(progress, report =>
            {
                epochCompleted?.Invoke(report);
                // Each finished epoch is the last good state a divergence or a crash falls back to.
                if (checkpointPath is null) return;
                Save(checkpointPath, trainer);
                _savedEpoch = report.Epoch;
            }, cancel);
        }
        catch (WriteFailedException e) when (checkpointPath is not null)
        {
            // The write goes through a temporary file and a rename: the previous checkpoint is intact.
            throw e.WithKept(KeptCheckpoint(_savedEpoch, checkpointPath));
        }
        catch (TrainingDivergedException e) when (checkpointPath is not null)
        {
            throw SayWhatIsKept(e, trainer, checkpointPath);
        }
        catch (OperationCanceledException) when (checkpointPath is not null)
        {
            // The loss is checked every step, the parameters only at epoch ends: a non-finite state must not
            // replace the last good checkpoint.
            var state = trainer.CreateCheckpoint();
            if (!state.Parameters.All(float.IsFinite))
                throw SayWhatIsKept(new TrainingDivergedException(trainer.CompletedEpochs + 1,
                    (int)(trainer.Step % Config.StepsPerEpoch), trainer.Step, "a parameter is no longer finite"), trainer, checkpointPath);
            try
            {
                CheckpointFile.Save(checkpointPath, state);
            }
            catch (WriteFailedException e)
            {
                throw e.WithKept("interrupted; " + KeptCheckpoint(_savedEpoch, checkpointPath));
            }
            log($"interrupted at step {trainer.Step}; checkpoint written to {checkpointPath} (continue with --resume)");
            throw;
        }
        _trainSeconds = trainClock.Elapsed.TotalSeconds;
        if (checkpointPath is null) return;
        try
        {
            Save(checkpointPath, trainer);
            if (Config.EarlyStoppingPatience > 0 && trainer.CreateBestCheckpoint() is { } bestState)
                CheckpointFile.Save(checkpointPath, bestState);
        }
        catch (WriteFailedException e)
        {
            throw e.WithKept(KeptCheckpoint(_savedEpoch, checkpointPath));
        }
    }

    /// <summary>
    /// Scores the test pairs with the trained network (the best epoch's when early stopping is on, with that epoch's
    /// threshold) and runs the recognition protocols: the run's one <see cref="TrainingOutcome"/>.
    /// </summary>
    public TrainingOutcome Evaluate(Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var trainer = Trainer;
        var data = Data;
        double threshold = trainer.Threshold;
        if (Config.EarlyStoppingPatience > 0 && trainer.CreateBestCheckpoint() is { } best)
        {
            // Early stopping keeps the best epoch: that model is the one saved and scored.
            trainer.Network.UploadParameters(best.Parameters);
            if (best.State.Length > 0) trainer.Network.UploadState(best.State);
            threshold = best.Threshold;
            log(trainer.StoppedEarly
                ? $"stopped early; keeping epoch {trainer.BestEpoch} (validation AUC {trainer.BestValidationAuc:F4})"
                : $"keeping epoch {trainer.BestEpoch} (validation AUC {trainer.BestValidationAuc:F4})");
        }

        var evalClock = Stopwatch.StartNew();
        var test = data.Test;
        var pairs = data.TestPairs;
        float[] distances = trainer.Evaluator.Distances(test, pairs);
        var scores = new PairScores(distances, pairs.Labels, i => new PairImages(test.ImageAt(pairs.Left[i]), test.ImageAt(pairs.Right[i])));
        var (metrics, roc) = TestMetrics.Of(distances, pairs.Labels, threshold);
        var recognition = RecognitionFigures.Measure(trainer.Evaluator, data.TrainAll, test, Request.Recognition, threshold, Config.Seed);
        var r = Request.Recognition;
        var classes = ClassFigures.Measure(trainer.Evaluator, data.DatasetName, data.ClassNames, data.Notes, data.TestProtocol, test,
            data.HeldOut, data.Unseen, r.OneShotWays, r.OneShotTrials, r.GalleryPerDigit, threshold, Config.Seed);
        double evalSeconds = evalClock.Elapsed.TotalSeconds;

        return new TrainingOutcome(trainer.Network.Backend.Name, trainer.History.ToArray(), scores, metrics, roc,
            new StageTimings(_dataSeconds, _trainSeconds, evalSeconds, _clock.Elapsed.TotalSeconds), recognition, classes);
    }

    static void Save(string path, Trainer trainer) => CheckpointFile.Save(path, trainer.CreateCheckpoint());

    /// <summary>What a failed checkpoint write leaves the user: the previous epoch's checkpoint (written whole), if any.</summary>
    static string KeptCheckpoint(int savedEpoch, string path) =>
        savedEpoch == 0 ? "no checkpoint of this run had been written yet"
        : File.Exists(path) ? $"the checkpoint of epoch {savedEpoch} is kept (continue with --resume {path})"
        : $"the checkpoint of epoch {savedEpoch} is gone with its folder";

    /// <summary>Only what is on disk is promised: the last epoch-end checkpoint of this run, or nothing yet.</summary>
    static TrainingDivergedException SayWhatIsKept(TrainingDivergedException e, Trainer trainer, string checkpointPath) =>
        e.WithKept(trainer.History.Count > 0 && File.Exists(checkpointPath)
            ? $"the checkpoint of epoch {trainer.History[^1].Epoch} is kept in {checkpointPath}"
            : "no checkpoint was written, as no epoch of this run had finished");

    public void Dispose() => _trainer?.Dispose();
}
