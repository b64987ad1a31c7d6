using System.Diagnostics;
using GpuSiamese.Data;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Training;

namespace GpuSiamese.Model;

/// <summary>
/// The epoch loop of a training run: each step asks the <see cref="IBatchObjective"/> (pairs or triplets) for the
/// next batch's gradients, checks the loss is finite and applies the <see cref="ParameterUpdate"/>; each epoch ends
/// with a parameter check, the <see cref="EpochMonitor"/>'s figures and the <see cref="BestEpoch"/> bookkeeping
/// (which may stop the run early). It also captures and restores the resumable state of a run.
/// The parts: <see cref="NetworkStep"/> (forward and backward over the layers), <see cref="BatchInput"/> (gather or
/// augmentation), the objective (sampler, mining, loss), the update (schedule, clipping, optimizer), the monitor.
/// Evaluation and the per-epoch reports are on pairs whatever the loss.
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly ImageTable _trainTable;
    readonly NetworkStep _step;
    readonly BatchInput _input;
    readonly IBatchObjective _objective;
    readonly ParameterUpdate _update;
    readonly EpochMonitor _monitor;
    readonly BestEpoch _best;
    double _epochLossSum;

    /// <summary>
    /// Validates <paramref name="config"/>, then forks <paramref name="rng"/> in a fixed order: parameter
    /// initialisation, the pair sampler, the monitor pair sets; the trainer keeps <paramref name="rng"/> itself
    /// (augmentation draws from it).
    /// </summary>
    public Trainer(IBackend backend, TrainingConfig config, ImageSet train, ImageSet validation, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(rng);
        config.Validate();
        if (train.ImageSize != config.Network.Input.Size)
            throw new ArgumentException($"--layers: the network reads {config.Network.Input} ({config.Network.Input.Size} values) but the images are {train.Shape}", nameof(train));
        Config = config;
        var initRng = rng.Fork();
        var samplerRng = rng.Fork();
        var monitorRng = rng.Fork();

        Network = Network.Create(backend, config.Network, initRng);
        _update = new ParameterUpdate(Network, config);
        _trainTable = ImageTable.Of(backend, train);
        _monitor = new EpochMonitor(backend, _trainTable, train, validation, config.MonitorPairs, monitorRng, config.Far);
        Evaluator = new Evaluator(Network, config.DistanceEpsilon, _monitor.LargestSet);
        _best = new BestEpoch(config.EarlyStoppingPatience);

        bool triplets = config.Loss == LossKind.Triplet;
        int b = config.BatchPairs, rows = (triplets ? 3 : 2) * b, dim = config.Network.OutputWidth;
        _step = new NetworkStep(Network, rows, config.Dropout, config.Seed);
        var augmenter = config.Augments
            ? new Augmenter(config.AugmentShift, config.AugmentRotation, config.AugmentMinScale, config.AugmentMaxScale,
                geometric: config.Augment, flip: config.AugmentFlip)
            : null;
        _input = new BatchInput(backend, _trainTable, train, rows, augmenter, rng);
        _objective = triplets
            ? new TripletObjective(backend, _step, _input, new TripletSampler(train.IndicesByClass(), samplerRng), config.TripletMargin,
                config.DistanceEpsilon, b, dim, config.Mining == TripletMining.BatchHard ? config.MiningWarmupEpochs : null)
            : new PairObjective(backend, _step, _input, new PairSampler(train.IndicesByClass(), samplerRng), config.Loss, config.LossParameter,
                config.DistanceEpsilon, b, dim);
    }

    public TrainingConfig Config { get; }

    /// <summary>How the training images were made from image files; saved in every checkpoint (MNIST's by default).</summary>
    public Preprocessing Preprocessing { get; init; } = Preprocessing.MnistDefault;

    /// <summary>The names of the classes the labels index; saved in every checkpoint (the ten digits by default).</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = MnistSource.ClassNames;

    public Network Network { get; }

    /// <summary>Scores with this trainer's network (the monitor sets use it too).</summary>
    public Evaluator Evaluator { get; }

    /// <summary>Steps completed over the whole run.</summary>
    public long Step { get; private set; }

    /// <summary>Epochs completed.</summary>
    public int CompletedEpochs => (int)(Step / Config.StepsPerEpoch);

    public long TotalSteps => (long)Config.Epochs * Config.StepsPerEpoch;

    public bool IsFinished => Step >= TotalSteps;

    /// <summary>The 1-based epoch with the best validation AUC so far (0 before the first).</summary>
    public int BestEpoch => _best.Epoch;

    public double BestValidationAuc => _best.ValidationAuc;

    /// <summary>Parameters at <see cref="BestEpoch"/> (null before the first epoch ends).</summary>
    public float[]? BestParameters => _best.Parameters;

    /// <summary>The validation Youden threshold at <see cref="BestEpoch"/>.</summary>
    public double BestThreshold => _best.Threshold;

    /// <summary>True when <see cref="TrainingConfig.EarlyStoppingPatience"/> ended the run before its last epoch.</summary>
    public bool StoppedEarly => _best.StoppedEarly;

    /// <summary>The Youden threshold of the last monitored epoch (NaN before the first).</summary>
    public double Threshold { get; private set; } = double.NaN;

    public IReadOnlyList<EpochReport> History => _best.History;

    /// <summary>The generator the run draws from (after a restore, the restored one).</summary>
    public Rng Rng => _input.Rng;

    /// <summary>
    /// Runs the remaining steps. Cancellation is checked between steps: the current step finishes, the state
    /// stays consistent for a checkpoint, then <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public IReadOnlyList<EpochReport> Train(IProgress<StepProgress>? progress = null,
        Action<EpochReport>? epochCompleted = null, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var epochClock = Stopwatch.StartNew();
        long pairsThisEpoch = 0;
        while (!IsFinished && !StoppedEarly)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int epoch = CompletedEpochs;
            int stepInEpoch = (int)(Step % Config.StepsPerEpoch);
            int pairs = Math.Min(Config.BatchPairs, Config.PairsPerEpoch - stepInEpoch * Config.BatchPairs);
            double loss = _objective.NextBatch(pairs, epoch, Step);
            if (!double.IsFinite(loss))
                throw new TrainingDivergedException(epoch + 1, stepInEpoch + 1, Step + 1, $"the loss is {loss}");
            _update.Apply(epoch, stepInEpoch, Step);
            _epochLossSum += loss;
            Step++;
            pairsThisEpoch += pairs;
            int done = stepInEpoch + 1;
            double seconds = Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
            progress?.Report(new StepProgress(epoch + 1, Config.Epochs, done, Config.StepsPerEpoch,
                _epochLossSum / done, pairsThisEpoch / seconds, total.Elapsed));

            if (done == Config.StepsPerEpoch)
            {
                var trainTime = epochClock.Elapsed;
                CheckParameters(epoch, done);
                var (auc, threshold, validationAccuracy, trainAccuracy) = _monitor.Measure(Evaluator);
                Threshold = threshold;
                var report = new EpochReport(epoch + 1, _epochLossSum / done, trainAccuracy, validationAccuracy, auc, threshold,
                    Config.LearningRateAt(epoch, Step - 1), pairsThisEpoch / Math.Max(trainTime.TotalSeconds, 1e-9),
                    epochClock.Elapsed, total.Elapsed);
                _best.Add(report, Network.DownloadParameters, IsFinished, Network.DownloadState);
                _epochLossSum = 0;
                pairsThisEpoch = 0;
                epochCompleted?.Invoke(report);
                epochClock.Restart();
            }
        }
        return History;
    }

    /// <summary>
    /// Forward and backward of one batch of pairs (indices into the training table): fills
    /// <see cref="Network.Gradients"/> with dL/dθ of the batch-mean loss and returns that loss.
    /// </summary>
    public double ComputeGradients(ReadOnlySpan<int> left, ReadOnlySpan<int> right, ReadOnlySpan<int> labels)
    {
        if (_objective is not PairObjective pairs)
            throw new InvalidOperationException("this trainer trains on triplets (ComputeTripletGradients), not pairs");
        return pairs.Gradients(left, right, labels, Step);
    }

    /// <summary>
    /// Forward and backward of one batch of triplets (indices into the training table): fills
    /// <see cref="Network.Gradients"/> with dL/dθ of the batch-mean triplet loss and returns that loss. With
    /// batch-hard mining (from epoch <see cref="TrainingConfig.MiningWarmupEpochs"/> + 1 on) the positives and negatives are
    /// first re-picked among the batch's 3B rows.
    /// </summary>
    public double ComputeTripletGradients(ReadOnlySpan<int> anchor, ReadOnlySpan<int> positive, ReadOnlySpan<int> negative)
    {
        if (_objective is not TripletObjective triplets)
            throw new InvalidOperationException($"this trainer trains on pairs with the {Config.Loss} loss, not on triplets");
        return triplets.Gradients(anchor, positive, negative, CompletedEpochs, Step);
    }

    /// <summary>
    /// A checkpoint for inference of the best epoch seen (by validation AUC), e.g. after early stopping;
    /// null before the first epoch ends.
    /// </summary>
    public Checkpoint? CreateBestCheckpoint() =>
        BestParameters is null ? null : new Checkpoint(Config.Network, Config, BestParameters, BestThreshold, null)
        {
            State = _best.State ?? [],
            Preprocessing = Preprocessing,
            ClassNames = ClassNames,
        };

    void CheckParameters(int epoch, int stepInEpoch)
    {
        double ss = Network.Backend.SumOfSquares(Network.Parameters, Network.Config.ParameterCount);
        if (!double.IsFinite(ss))
            throw new TrainingDivergedException(epoch + 1, stepInEpoch, Step, "a parameter is no longer finite");
    }

    /// <summary>
    /// A checkpoint of the run as it stands: configuration, parameters, the current threshold and, when
    /// <paramref name="includeResume"/>, what <see cref="Restore"/> needs to continue it.
    /// </summary>
    public Checkpoint CreateCheckpoint(bool includeResume = true) =>
        new(Config.Network, Config, Network.DownloadParameters(), Threshold, includeResume ? CaptureState() : null)
        {
            State = Network.DownloadState(),
            Preprocessing = Preprocessing,
            ClassNames = ClassNames,
        };

    /// <summary>What a checkpoint needs, beyond the parameters, to resume this run exactly.</summary>
    public TrainerState CaptureState() => new(
        _update.Optimizer.DownloadState(), _update.Optimizer.StepCount, Step, _epochLossSum,
        _objective.CaptureSampler(), _input.Rng.GetState(), History.ToArray(), BestParameters?.ToArray(), _best.State?.ToArray());

    /// <summary>
    /// Continues from a checkpoint of a run with the same configuration and seed: parameters, optimizer,
    /// step, sampler position and generator. (The monitor sets are rebuilt from the seed, so they match.)
    /// </summary>
    public void Restore(ReadOnlySpan<float> parameters, TrainerState state, double threshold = double.NaN,
        ReadOnlySpan<float> networkState = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Step < 0 || state.Step > TotalSteps)
            throw new ArgumentException($"resume step {state.Step} is outside this run's 0..{TotalSteps} steps", nameof(state));
        if (state.BestParameters is { } best && best.Length != Network.Config.ParameterCount)
            throw new ArgumentException($"the saved best parameters hold {best.Length} values, expected {Network.Config.ParameterCount}", nameof(state));
        if (state.BestState is { Length: > 0 } bestState && bestState.Length != Network.Config.StateCount)
            throw new ArgumentException($"the saved best state holds {bestState.Length} values, expected {Network.Config.StateCount}", nameof(state));
        // Check the sampler's state before anything is changed.
        var restoreSampler = _objective.PrepareRestore(state.SamplerState);
        Network.UploadParameters(parameters);
        Network.UploadState(networkState.Length == 0 ? Network.InitialState(Network.Config) : networkState);
        _update.Optimizer.Restore(state.OptimizerState, state.OptimizerSteps);
        restoreSampler();
        _input.Rng = Rng.FromState(state.RngState);
        Step = state.Step;
        _epochLossSum = state.EpochLossSum;
        Threshold = threshold;
        _best.Restore(state.History, state.BestParameters, IsFinished, state.BestState);
    }

    public void Dispose()
    {
        Evaluator.Dispose();
        _update.Dispose();
        _monitor.Dispose();
        _trainTable.Dispose();
        _input.Dispose();
        _objective.Dispose();
        _step.Dispose();
        Network.Dispose();
    }
}
