using System.Diagnostics;
using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// Trains a <see cref="Network"/> on balanced pairs. The train and validation images are uploaded once as
/// device tables; a step uploads only the batch's 2B indices (left images, then right) and B labels, then
/// gather → dense layers over 2B rows → pair distance → loss → backward (one Xᵀ·dY per layer serves both
/// branches) → optional clipping → optimizer update of the flat parameter vector. With augmentation the
/// batch's images are transformed on the host from their 28x28 originals and uploaded instead of gathered.
/// With the triplet loss a batch is B balanced triplets (<see cref="TripletSampler"/>), 3B rows (anchors,
/// positives, negatives) through the same layers and <see cref="IBackend.TripletLoss"/>; batch-hard mining first
/// embeds those rows and re-picks each anchor's positive and negative among them (<see cref="BatchHardMining"/>).
/// Dropout multiplies each hidden layer's output, and its gradient, by a mask hashed from (seed, layer, step).
/// Evaluation and the per-epoch reports are on pairs whatever the loss.
/// </summary>
public sealed class Trainer : IDisposable
{
    static readonly JsonSerializerOptions SamplerJson = new() { IncludeFields = true };

    readonly IBackend _backend;
    Rng _rng;
    readonly PairSampler? _sampler;
    readonly TripletSampler? _tripletSampler;
    readonly Optimizer _optimizer;
    readonly ImageTable _trainTable, _validationTable;
    readonly PairSet _trainMonitor, _validationMonitor;
    readonly DeviceBuffer<int> _indices, _labels;
    readonly DeviceBuffer<float> _input, _dist, _loss, _dDist;
    readonly DeviceBuffer<float>[] _outputs, _dOutputs;
    readonly int[] _left, _right, _negatives, _pairLabels, _hostIndices, _digits, _hardPositive, _hardNegative;
    readonly float[]? _embeddings;
    readonly ulong[] _dropoutKeys;
    readonly List<EpochReport> _history = [];
    readonly ImageSet _train;
    readonly Augmenter? _augmenter;
    readonly float[]? _augmented;
    double _epochLossSum;

    /// <summary>
    /// Validates <paramref name="config"/>, then forks <paramref name="rng"/> in a fixed order: parameter
    /// initialisation, the pair sampler, the monitor pair sets; the trainer keeps <paramref name="rng"/> itself.
    /// </summary>
    public Trainer(IBackend backend, TrainingConfig config, ImageSet train, ImageSet validation, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(rng);
        config.Validate();
        if (config.Augment && train.Raw28 is null)
            throw new ArgumentException("--augment needs the 28x28 originals of the training images, and this set has none", nameof(train));
        _backend = backend;
        Config = config;
        _train = train;
        _rng = rng;
        var initRng = rng.Fork();
        var samplerRng = rng.Fork();
        var monitorRng = rng.Fork();

        Network = Network.Create(backend, config.Network, initRng);
        _optimizer = new Optimizer(backend, config, config.Network.ParameterCount);
        _trainTable = new ImageTable(backend, train);
        _validationTable = new ImageTable(backend, validation);
        if (config.Loss == PairLossKind.Triplet) _tripletSampler = new TripletSampler(train, samplerRng);
        else _sampler = new PairSampler(train, samplerRng);
        int positivesPerDigit = Math.Max(1, config.MonitorPairs / 20);
        int negativesPerPair = Math.Max(1, config.MonitorPairs / 90);
        _validationMonitor = BalancedPairSet.Create(validation, monitorRng.Fork(), positivesPerDigit, negativesPerPair);
        _trainMonitor = BalancedPairSet.Create(train, monitorRng.Fork(), positivesPerDigit, negativesPerPair);
        Evaluator = new Evaluator(Network, config.DistanceEpsilon, Math.Max(_validationMonitor.Count, _trainMonitor.Count));

        int b = config.BatchPairs, rows = RowsPerUnit * b;
        _indices = backend.Allocate<int>(rows);
        _labels = backend.Allocate<int>(b);
        _input = backend.Allocate<float>(rows * ImageSet.Size);
        _outputs = Network.AllocateLayerOutputs(rows);
        _dOutputs = Network.AllocateLayerOutputs(rows);
        _dist = backend.Allocate<float>(b);
        _loss = backend.Allocate<float>(b);
        _dDist = backend.Allocate<float>(b);
        _left = new int[b];
        _right = new int[b];
        _negatives = new int[b];
        _pairLabels = new int[b];
        _hostIndices = new int[rows];
        bool mining = config.Mining == TripletMining.BatchHard;
        _digits = new int[mining ? rows : 0];
        _hardPositive = new int[mining ? b : 0];
        _hardNegative = new int[mining ? b : 0];
        _embeddings = mining ? new float[rows * config.Network.OutputWidth] : null;
        _dropoutKeys = Enumerable.Range(0, config.Network.LayerCount).Select(l => DropoutMask.LayerKey(config.Seed, l)).ToArray();
        if (config.Augment)
        {
            _augmenter = new Augmenter(config.AugmentShift, config.AugmentRotation, config.AugmentMinScale, config.AugmentMaxScale);
            _augmented = new float[rows * ImageSet.Size];
        }
    }

    public TrainingConfig Config { get; }

    /// <summary>Embedding rows per batch unit: 2 for a pair, 3 for a triplet.</summary>
    int RowsPerUnit => Config.Loss == PairLossKind.Triplet ? 3 : 2;

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
    public int BestEpoch { get; private set; }

    public double BestValidationAuc { get; private set; } = double.NaN;

    /// <summary>Parameters at <see cref="BestEpoch"/> (null before the first epoch ends).</summary>
    public float[]? BestParameters { get; private set; }

    /// <summary>The validation Youden threshold at <see cref="BestEpoch"/>.</summary>
    public double BestThreshold { get; private set; } = double.NaN;

    /// <summary>True when <see cref="TrainingConfig.EarlyStoppingPatience"/> ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; private set; }

    /// <summary>The Youden threshold of the last monitored epoch (NaN before the first).</summary>
    public double Threshold { get; private set; } = double.NaN;

    public IReadOnlyList<EpochReport> History => _history;

    /// <summary>
    /// Runs the remaining steps. Cancellation is checked between steps: the current step finishes, the state
    /// stays consistent for a checkpoint, then <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public IReadOnlyList<EpochReport> Train(IProgress<TrainingProgress>? progress = null,
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
            Span<int> left = _left.AsSpan(0, pairs), right = _right.AsSpan(0, pairs), labels = _pairLabels.AsSpan(0, pairs);
            double loss;
            if (_tripletSampler is not null)
            {
                Span<int> negative = _negatives.AsSpan(0, pairs);
                _tripletSampler.NextBatch(left, right, negative);
                loss = ComputeTripletGradients(left, right, negative);
            }
            else
            {
                _sampler!.NextBatch(left, right, labels);
                loss = ComputeGradients(left, right, labels);
            }
            if (!double.IsFinite(loss))
                throw new TrainingDivergedException(epoch + 1, stepInEpoch + 1, Step + 1, $"the loss is {loss}");
            ApplyUpdate(epoch, stepInEpoch);
            _epochLossSum += loss;
            Step++;
            pairsThisEpoch += pairs;
            int done = stepInEpoch + 1;
            double seconds = Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
            progress?.Report(new TrainingProgress(epoch + 1, Config.Epochs, done, Config.StepsPerEpoch,
                _epochLossSum / done, pairsThisEpoch / seconds, total.Elapsed));

            if (done == Config.StepsPerEpoch)
            {
                var trainTime = epochClock.Elapsed;
                CheckParameters(epoch, done);
                var report = Monitor(epoch, _epochLossSum / done, pairsThisEpoch / Math.Max(trainTime.TotalSeconds, 1e-9),
                    epochClock.Elapsed, total.Elapsed);
                TrackBest(report);
                _epochLossSum = 0;
                pairsThisEpoch = 0;
                epochCompleted?.Invoke(report);
                epochClock.Restart();
            }
        }
        return _history;
    }

    /// <summary>
    /// Forward and backward of one batch: fills <see cref="Network.Gradients"/> with dL/dθ of the batch-mean
    /// loss and returns that loss. Indices point into the training table.
    /// </summary>
    public double ComputeGradients(ReadOnlySpan<int> left, ReadOnlySpan<int> right, ReadOnlySpan<int> labels)
    {
        if (Config.Loss == PairLossKind.Triplet)
            throw new InvalidOperationException("this trainer trains on triplets (ComputeTripletGradients), not pairs");
        int b = left.Length;
        if (b < 1 || b > Config.BatchPairs || right.Length != b || labels.Length != b)
            throw new ArgumentException($"a batch holds 1..{Config.BatchPairs} pairs with as many left, right and labels; got {left.Length}, {right.Length}, {labels.Length}");
        int rows = 2 * b;
        left.CopyTo(_hostIndices);
        right.CopyTo(_hostIndices.AsSpan(b));
        CheckIndices(rows);
        var net = Network.Config;
        int dim = net.OutputWidth;
        float eps = (float)Config.DistanceEpsilon;

        _backend.Upload(_labels.Slice(0, b), labels);
        LoadInput(rows);
        ForwardTraining(rows);
        _backend.PairDistanceForward(_outputs[^1], _dist, b, dim, eps);
        _backend.PairLoss(Config.Loss, (float)Config.LossParameter, _dist, _labels, _loss, _dDist, b);

        _backend.PairDistanceBackward(_outputs[^1], _dist, _dDist, _dOutputs[^1], b, dim, eps);
        Backward(rows);
        return _backend.Sum(_loss, b) / b;
    }

    /// <summary>
    /// Forward and backward of one batch of triplets (indices into the training table): fills
    /// <see cref="Network.Gradients"/> with dL/dθ of the batch-mean triplet loss and returns that loss. With
    /// batch-hard mining (from epoch <see cref="TrainingConfig.MiningWarmupEpochs"/> + 1 on) the positives and negatives are
    /// first re-picked among the batch's 3B rows.
    /// </summary>
    public double ComputeTripletGradients(ReadOnlySpan<int> anchor, ReadOnlySpan<int> positive, ReadOnlySpan<int> negative)
    {
        if (Config.Loss != PairLossKind.Triplet)
            throw new InvalidOperationException($"this trainer trains on pairs with the {Config.Loss} loss, not on triplets");
        int b = anchor.Length;
        if (b < 1 || b > Config.BatchPairs || positive.Length != b || negative.Length != b)
            throw new ArgumentException($"a batch holds 1..{Config.BatchPairs} triplets with as many anchors, positives and negatives; got {anchor.Length}, {positive.Length}, {negative.Length}");
        int rows = 3 * b;
        anchor.CopyTo(_hostIndices);
        positive.CopyTo(_hostIndices.AsSpan(b));
        negative.CopyTo(_hostIndices.AsSpan(2 * b));
        CheckIndices(rows);
        int dim = Network.Config.OutputWidth;
        if (Config.Mining == TripletMining.BatchHard && CompletedEpochs >= Config.MiningWarmupEpochs) MineBatchHard(b, dim);

        LoadInput(rows);
        ForwardTraining(rows);
        _backend.TripletLoss(_outputs[^1], _loss, _dOutputs[^1], b, dim, (float)Config.TripletMargin, (float)Config.DistanceEpsilon);
        Backward(rows);
        return _backend.Sum(_loss, b) / b;
    }

    /// <summary>
    /// Embeds the batch's 3B rows as the network stands (no dropout), then rewrites the positives and negatives
    /// in <see cref="_hostIndices"/> with each anchor's hardest ones among those rows.
    /// </summary>
    void MineBatchHard(int b, int dim)
    {
        int rows = 3 * b;
        var labels = _train.Labels;
        for (int r = 0; r < rows; r++) _digits[r] = labels[_hostIndices[r]];
        LoadInput(rows);
        Network.Forward(_input, _outputs, rows);
        var embeddings = _embeddings.AsSpan(0, rows * dim);
        _backend.Download(_outputs[^1].Slice(0, rows * dim), embeddings);
        BatchHardMining.Select(embeddings, _digits.AsSpan(0, rows), dim, b, _hardPositive, _hardNegative);
        // Rows to images for all anchors first: a picked row may be a positive or negative slot about to be rewritten.
        for (int t = 0; t < b; t++)
        {
            _hardPositive[t] = _hostIndices[_hardPositive[t]];
            _hardNegative[t] = _hostIndices[_hardNegative[t]];
        }
        _hardPositive.AsSpan(0, b).CopyTo(_hostIndices.AsSpan(b));
        _hardNegative.AsSpan(0, b).CopyTo(_hostIndices.AsSpan(2 * b));
    }

    void CheckIndices(int rows)
    {
        // The device gather does not check bounds; a comparison per row here is free next to the step.
        for (int r = 0; r < rows; r++)
            if ((uint)_hostIndices[r] >= (uint)_trainTable.Count)
                throw new ArgumentException($"batch row {r} refers to image {_hostIndices[r]}, outside the {_trainTable.Count} training images");
    }

    /// <summary>The batch's rows of <see cref="_hostIndices"/> into the input matrix: gathered on the device, or augmented and uploaded.</summary>
    void LoadInput(int rows)
    {
        if (_augmenter is null)
        {
            _backend.Upload(_indices.Slice(0, rows), _hostIndices.AsSpan(0, rows));
            _backend.GatherRows(_trainTable.Pixels, _indices, _input, rows, ImageSet.Size);
        }
        else
        {
            UploadAugmented(rows);
        }
    }

    /// <summary>The network's forward pass with dropout on the hidden layers' outputs (when configured).</summary>
    void ForwardTraining(int rows)
    {
        var net = Network.Config;
        var x = _input;
        for (int l = 0; l < net.LayerCount; l++)
        {
            int outW = net.OutWidth(l);
            _backend.DenseForward(x, Network.Weights(l), Network.Biases(l), _outputs[l], rows, net.InWidth(l), outW, net.ActivationOf(l));
            if (DropsOut(l)) _backend.Dropout(_outputs[l], rows * outW, (float)Config.Dropout, _dropoutKeys[l], Step);
            x = _outputs[l];
        }
    }

    /// <summary>From dL/d(embeddings) in the last of <see cref="_dOutputs"/> to <see cref="Network.Gradients"/>.</summary>
    void Backward(int rows)
    {
        var net = Network.Config;
        for (int l = net.LayerCount - 1; l >= 0; l--)
        {
            int inW = net.InWidth(l), outW = net.OutWidth(l);
            // The same mask as the forward pass; ReLU' read from the masked output is 0 where a unit was dropped anyway.
            if (DropsOut(l)) _backend.Dropout(_dOutputs[l], rows * outW, (float)Config.Dropout, _dropoutKeys[l], Step);
            _backend.ActivationBackward(_outputs[l], _dOutputs[l], rows * outW, net.ActivationOf(l));
            var x = l == 0 ? _input : _outputs[l - 1];
            _backend.DenseBackwardWeights(x, _dOutputs[l], Network.WeightGradients(l), Network.BiasGradients(l), rows, inW, outW);
            if (l > 0)
                _backend.DenseBackwardData(_dOutputs[l], Network.Weights(l), _dOutputs[l - 1], rows, inW, outW);
        }
    }

    bool DropsOut(int layer) => Config.Dropout > 0 && layer < Network.Config.LayerCount - 1;

    /// <summary>Each of the batch's rows, augmented afresh from its 28x28 original, uploaded as the input.</summary>
    void UploadAugmented(int rows)
    {
        var raw = _train.Raw28!;
        for (int r = 0; r < rows; r++)
        {
            int image = _hostIndices[r];
            _augmenter!.Augment(raw.AsSpan(image * ImageSet.RawSize, ImageSet.RawSize),
                _augmented.AsSpan(r * ImageSet.Size, ImageSet.Size), _rng);
        }
        _backend.Upload(_input.Slice(0, rows * ImageSet.Size), _augmented.AsSpan(0, rows * ImageSet.Size));
    }

    /// <summary>Adds <paramref name="report"/> to the history and keeps the best epoch; may end the run early.</summary>
    void TrackBest(EpochReport report, bool download = true)
    {
        _history.Add(report);
        if (BestEpoch == 0 || report.ValidationAuc > BestValidationAuc)
        {
            BestEpoch = report.Epoch;
            BestValidationAuc = report.ValidationAuc;
            BestThreshold = report.Threshold;
            if (download) BestParameters = Network.DownloadParameters();
        }
        else if (Config.EarlyStoppingPatience > 0 && report.Epoch - BestEpoch >= Config.EarlyStoppingPatience && !IsFinished)
        {
            StoppedEarly = true;
        }
    }

    /// <summary>
    /// A checkpoint for inference of the best epoch seen (by validation AUC), e.g. after early stopping;
    /// null before the first epoch ends.
    /// </summary>
    public Checkpoint? CreateBestCheckpoint() =>
        BestParameters is null ? null : new Checkpoint(Config.Network, Config, BestParameters, BestThreshold, null);

    void ApplyUpdate(int epoch, int stepInEpoch)
    {
        float gradScale = 1f;
        if (Config.ClipNorm > 0)
        {
            double norm = Math.Sqrt(_backend.SumOfSquares(Network.Gradients, Network.Config.ParameterCount));
            if (!double.IsFinite(norm))
                throw new TrainingDivergedException(epoch + 1, stepInEpoch + 1, Step + 1, $"the gradient norm is {norm}");
            if (norm > Config.ClipNorm) gradScale = (float)(Config.ClipNorm / norm);
        }
        _optimizer.Step(Network.Parameters, Network.Gradients, Config.LearningRateAt(epoch, Step), gradScale);
    }

    void CheckParameters(int epoch, int stepInEpoch)
    {
        double ss = _backend.SumOfSquares(Network.Parameters, Network.Config.ParameterCount);
        if (!double.IsFinite(ss))
            throw new TrainingDivergedException(epoch + 1, stepInEpoch, Step, "a parameter is no longer finite");
    }

    EpochReport Monitor(int epoch, double meanLoss, double pairsPerSecond, TimeSpan epochTime, TimeSpan elapsed)
    {
        var validationDistances = Evaluator.Distances(_validationTable, _validationMonitor);
        var metrics = Roc.Analyze(validationDistances, _validationMonitor.Labels);
        var trainDistances = Evaluator.Distances(_trainTable, _trainMonitor);
        Threshold = metrics.YoudenThreshold;
        return new EpochReport(epoch + 1, meanLoss,
            Roc.AccuracyAt(trainDistances, _trainMonitor.Labels, Threshold),
            metrics.YoudenAccuracy, metrics.Auc, Threshold, Config.LearningRateAt(epoch, Step - 1),
            pairsPerSecond, epochTime, elapsed);
    }

    /// <summary>
    /// A checkpoint of the run as it stands: configuration, parameters, the current threshold and, when
    /// <paramref name="includeResume"/>, what <see cref="Restore"/> needs to continue it.
    /// </summary>
    public Checkpoint CreateCheckpoint(bool includeResume = true) =>
        new(Config.Network, Config, Network.DownloadParameters(), Threshold, includeResume ? CaptureState() : null);

    /// <summary>What a checkpoint needs, beyond the parameters, to resume this run exactly.</summary>
    public TrainerState CaptureState() => new(
        _optimizer.DownloadState(), _optimizer.StepCount, Step, _epochLossSum,
        _tripletSampler is not null
            ? JsonSerializer.SerializeToUtf8Bytes(_tripletSampler.GetState(), SamplerJson)
            : JsonSerializer.SerializeToUtf8Bytes(_sampler!.GetState(), SamplerJson),
        _rng.GetState(),
        _history.ToArray(), BestParameters?.ToArray());

    /// <summary>
    /// Continues from a checkpoint of a run with the same configuration and seed: parameters, optimizer,
    /// step, sampler position and generator. (The monitor sets are rebuilt from the seed, so they match.)
    /// </summary>
    public void Restore(ReadOnlySpan<float> parameters, TrainerState state, double threshold = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Step < 0 || state.Step > TotalSteps)
            throw new ArgumentException($"resume step {state.Step} is outside this run's 0..{TotalSteps} steps", nameof(state));
        // Deserialise (and so check) the sampler's state before anything is changed.
        PairSamplerState? pairState = null;
        TripletSamplerState? tripletState = null;
        try
        {
            if (_tripletSampler is not null) tripletState = JsonSerializer.Deserialize<TripletSamplerState>(state.SamplerState, SamplerJson);
            else pairState = JsonSerializer.Deserialize<PairSamplerState>(state.SamplerState, SamplerJson);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the saved sampler state is not a {(_tripletSampler is null ? "pair" : "triplet")} sampler's: {e.Message}", nameof(state));
        }
        if (pairState is null && tripletState is null) throw new ArgumentException("the saved sampler state is empty", nameof(state));
        Network.UploadParameters(parameters);
        _optimizer.Restore(state.OptimizerState, state.OptimizerSteps);
        if (tripletState is not null) _tripletSampler!.Restore(tripletState);
        else _sampler!.Restore(pairState!);
        _rng = Rng.FromState(state.RngState);
        Step = state.Step;
        _epochLossSum = state.EpochLossSum;
        Threshold = threshold;
        _history.Clear();
        BestParameters = null;
        BestEpoch = 0;
        BestValidationAuc = double.NaN;
        BestThreshold = double.NaN;
        StoppedEarly = false;
        foreach (var report in state.History) TrackBest(report, download: false);
        if (state.BestParameters is { } best)
        {
            if (best.Length != Network.Config.ParameterCount)
                throw new ArgumentException($"the saved best parameters hold {best.Length} values, expected {Network.Config.ParameterCount}", nameof(state));
            BestParameters = best.ToArray();
        }
    }

    /// <summary>The generator the run draws from (after a restore, the restored one).</summary>
    public Rng Rng => _rng;

    public void Dispose()
    {
        Evaluator.Dispose();
        _optimizer.Dispose();
        _trainTable.Dispose();
        _validationTable.Dispose();
        _indices.Dispose();
        _labels.Dispose();
        _input.Dispose();
        foreach (var o in _outputs) o.Dispose();
        foreach (var o in _dOutputs) o.Dispose();
        _dist.Dispose();
        _loss.Dispose();
        _dDist.Dispose();
        Network.Dispose();
    }
}
