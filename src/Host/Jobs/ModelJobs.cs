using System.Diagnostics;
using GpuSiamese.Data;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using HostProgress = GpuSiamese.Host.Progress.TrainingProgress;
using ModelProgress = GpuSiamese.Model.TrainingProgress;

namespace GpuSiamese.Host.Jobs;

/// <summary>The host's commands carried out by src/Data and src/Model.</summary>
public sealed class ModelJobs : IModelJobs
{
    public TrainingOutcome Train(TrainOptions options, string checkpointPath, Action<string> log,
        IProgress<HostProgress> progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var config = options.Training;
        Checkpoint? resume = null;
        if (options.Resume is not null)
        {
            resume = CheckpointFile.LoadForInference(options.Resume, config.Network);
            if (resume.Resume is null)
                throw new InvalidDataException($"checkpoint '{options.Resume}': it holds no resume state (saved for scoring only)");
            if (resume.Training with { } != config)
                throw new ArgumentException($"--resume '{options.Resume}': the checkpoint was trained with other options; give the same options as that run");
        }
        config.Validate();

        // The device first: a missing one is refused before MNIST is read.
        using var backend = AcceleratorBackends.Create(options.Accelerator, log);
        var run = RunData.Load(options.DataDir, config, log, options.PositivesPerDigit, options.NegativesPerPair);
        var (data, train, validation, testPairs) = (run.Mnist, run.Train, run.Validation, run.TestPairs);
        double dataSeconds = clock.Elapsed.TotalSeconds;

        using var trainer = new Trainer(backend, config, train, validation, run.TrainerRng);
        if (resume is not null)
        {
            trainer.Restore(resume.Parameters, resume.Resume!, resume.Threshold);
            log($"resuming {options.Resume} at step {trainer.Step} of {trainer.TotalSteps}");
        }

        var trainClock = Stopwatch.StartNew();
        var epochStart = TimeSpan.Zero;
        var sink = new ProgressAdapter(progress, () => epochStart);
        int savedEpoch = 0; // the epoch whose checkpoint is on disk (0: none yet)
        try
        {
            trainer.Train(sink, report =>
            {
                progress.Report(new HostProgress(report.Epoch, config.Epochs, config.StepsPerEpoch, config.StepsPerEpoch,
                    report.MeanLoss, report.PairsPerSecond, report.EpochTime, report.TrainAccuracy, report.ValidationAccuracy));
                epochStart = report.Elapsed;
                // Each finished epoch is the last good state a divergence or a crash falls back to.
                Save(checkpointPath, trainer);
                savedEpoch = report.Epoch;
            }, cancel);
        }
        catch (WriteFailedException e)
        {
            // The write goes through a temporary file and a rename: the previous checkpoint is intact.
            throw e.WithKept(KeptCheckpoint(savedEpoch, checkpointPath));
        }
        catch (TrainingDivergedException e)
        {
            throw SayWhatIsKept(e, trainer, checkpointPath);
        }
        catch (OperationCanceledException)
        {
            // The loss is checked every step, the parameters only at epoch ends: a non-finite state must not
            // replace the last good checkpoint.
            var state = trainer.CreateCheckpoint();
            if (!state.Parameters.All(float.IsFinite))
                throw SayWhatIsKept(new TrainingDivergedException(trainer.CompletedEpochs + 1,
                    (int)(trainer.Step % config.StepsPerEpoch), trainer.Step, "a parameter is no longer finite"), trainer, checkpointPath);
            try
            {
                CheckpointFile.Save(checkpointPath, state);
            }
            catch (WriteFailedException e)
            {
                throw e.WithKept("interrupted; " + KeptCheckpoint(savedEpoch, checkpointPath));
            }
            log($"interrupted at step {trainer.Step}; checkpoint written to {checkpointPath} (continue with --resume)");
            throw;
        }
        double trainSeconds = trainClock.Elapsed.TotalSeconds;
        try
        {
            Save(checkpointPath, trainer);
            if (config.EarlyStoppingPatience > 0 && trainer.CreateBestCheckpoint() is { } bestState)
                CheckpointFile.Save(checkpointPath, bestState);
        }
        catch (WriteFailedException e)
        {
            throw e.WithKept(KeptCheckpoint(savedEpoch, checkpointPath));
        }
        double threshold = trainer.Threshold;
        if (config.EarlyStoppingPatience > 0 && trainer.CreateBestCheckpoint() is { } best)
        {
            // Early stopping keeps the best epoch: that model is the one saved (above) and scored.
            trainer.Network.UploadParameters(best.Parameters);
            threshold = best.Threshold;
            log(trainer.StoppedEarly
                ? $"stopped early; keeping epoch {trainer.BestEpoch} (validation AUC {trainer.BestValidationAuc:F4})"
                : $"keeping epoch {trainer.BestEpoch} (validation AUC {trainer.BestValidationAuc:F4})");
        }

        var evalClock = Stopwatch.StartNew();
        float[] distances = trainer.Evaluator.Distances(data.Test, testPairs);
        var scores = new PairScores(distances, testPairs.Labels, i => new PairImages(
            data.Test.Pixels.AsSpan(testPairs.Left[i] * ImageSet.Size, ImageSet.Size).ToArray(),
            data.Test.Pixels.AsSpan(testPairs.Right[i] * ImageSet.Size, ImageSet.Size).ToArray()));
        var (metrics, roc) = Analyze(distances, testPairs.Labels, threshold);
        var recognition = Recognize(trainer.Evaluator, data, options.OneShotWays, options.OneShotTrials,
            options.GalleryPerDigit, threshold, options.Seed);
        double evalSeconds = evalClock.Elapsed.TotalSeconds;

        var history = trainer.History.Select(r => new EpochRecord(r.Epoch, r.MeanLoss, r.TrainAccuracy,
            r.ValidationAccuracy, r.EpochTime.TotalSeconds, r.PairsPerSecond, r.ValidationAuc, r.Threshold, r.LearningRate)).ToList();
        return new TrainingOutcome(backend.Name, history, scores, metrics, roc,
            new StageTimings(dataSeconds, trainSeconds, evalSeconds), recognition);
    }

    public EvaluationOutcome Evaluate(EvalOptions options, Action<string> log, CancellationToken cancel)
    {
        var checkpoint = CheckpointFile.LoadForInference(options.ModelPath, null);
        float[] pixels;
        int[] labels;
        MnistData? data = null;
        if (options.PairsPath is not null && options.LabelsPath is not null)
        {
            var pairs = Npy.ReadPairs(options.PairsPath, options.LabelsPath);
            (pixels, labels) = (pairs.Pixels, pairs.Labels);
        }
        else
        {
            data = Mnist.Load(options.DataDir, log);
            var set = BalancedPairSet.Create(data.Test, RunRandomness.From(options.Seed).TestPairs,
                options.PositivesPerDigit, options.NegativesPerPair);
            pixels = new float[set.Count * PairArrays.PairSize];
            for (int p = 0; p < set.Count; p++)
            {
                data.Test.Pixels.AsSpan(set.Left[p] * ImageSet.Size, ImageSet.Size).CopyTo(pixels.AsSpan(p * PairArrays.PairSize));
                data.Test.Pixels.AsSpan(set.Right[p] * ImageSet.Size, ImageSet.Size).CopyTo(pixels.AsSpan(p * PairArrays.PairSize + ImageSet.Size));
            }
            labels = set.Labels;
        }
        cancel.ThrowIfCancellationRequested();
        using var backend = AcceleratorBackends.Create(options.Accelerator, log);
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] distances = evaluator.Distances(new PairArrays(pixels, labels));
        var (metrics, roc) = Analyze(distances, labels, checkpoint.Threshold);
        var scores = new PairScores(distances, labels, i => new PairImages(
            pixels.AsSpan(i * PairArrays.PairSize, ImageSet.Size).ToArray(),
            pixels.AsSpan(i * PairArrays.PairSize + ImageSet.Size, ImageSet.Size).ToArray()));
        // The protocols need labelled images: the test split, which a pair file does not carry.
        var recognition = data is null ? RecognitionFigures.None : Recognize(evaluator, data, options.OneShotWays,
            options.OneShotTrials, options.GalleryPerDigit, options.UnknownThreshold ?? checkpoint.Threshold, options.Seed);
        return new EvaluationOutcome(backend.Name, scores, metrics, roc, recognition);
    }

    public ComparisonOutcome Compare(CompareOptions options)
    {
        var checkpoint = CheckpointFile.LoadForInference(options.ModelPath, null);
        var mode = ToInvertMode(options.Invert);
        var a = DigitImage.Read(options.ImageA, mode);
        var b = DigitImage.Read(options.ImageB, mode);
        using var backend = AcceleratorBackends.Create(options.Accelerator, _ => { });
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] distance = evaluator.Distances(new PairArrays([.. a.Image14, .. b.Image14], [0]));
        return new ComparisonOutcome(distance[0], checkpoint.Threshold, a.Image14, b.Image14, [.. a.Warnings, .. b.Warnings]);
    }

    public EmbeddingOutcome Embed(EmbedOptions options, Action<string> log, CancellationToken cancel)
    {
        var checkpoint = CheckpointFile.LoadForInference(options.ModelPath, null);
        float[] pixels;
        int count;
        int[]? labels = null;
        string[]? sources = null;
        var warnings = new List<string>();
        if (options.Split is { } split)
        {
            var data = Mnist.Load(options.DataDir, log);
            var set = split == SplitChoice.Test ? data.Test : PickTrainingPart(data, split, options);
            (pixels, count, labels) = (set.Pixels, set.Count, set.Labels.Select(l => (int)l).ToArray());
        }
        else
        {
            var mode = ToInvertMode(options.Invert);
            count = options.Images.Length;
            pixels = new float[count * ImageSet.Size];
            for (int i = 0; i < count; i++)
            {
                var image = DigitImage.Read(options.Images[i], mode);
                image.Image14.CopyTo(pixels.AsSpan(i * ImageSet.Size));
                warnings.AddRange(image.Warnings);
            }
            sources = options.Images.Select(Path.GetFileName).ToArray()!;
        }
        cancel.ThrowIfCancellationRequested();
        using var backend = AcceleratorBackends.Create(options.Accelerator, log);
        using var network = new Network(backend, checkpoint.Network, checkpoint.Parameters);
        using var evaluator = new Evaluator(network, checkpoint.Training.DistanceEpsilon);
        float[] values = evaluator.Embed(pixels, count);
        return new EmbeddingOutcome(values, count, checkpoint.Network.OutputWidth, labels, sources, warnings);
    }

    public IReadOnlyList<DeviceDescription> ListDevices()
    {
        var devices = new List<DeviceDescription>();
        using (var simd = new SimdBackend())
            devices.Add(new DeviceDescription("simd", simd.Name, "vectorised host backend"));
        try
        {
            foreach (var d in IlgpuDevices.List())
                devices.Add(new DeviceDescription(d.Kind, d.Name, d.Type + (d.IsPocl ? ", PoCL: compatibility step applied" : "")));
        }
        catch (IlgpuAcceleratorException e)
        {
            devices.Add(new DeviceDescription("ilgpu", "ILGPU could not list its accelerators", e.Message));
        }
        return devices;
    }

    static ImageSet PickTrainingPart(MnistData data, SplitChoice split, EmbedOptions options)
    {
        var (train, validation) = TrainValidationSplit.Create(data.Train, options.Validation, RunRandomness.From(options.Seed).Split);
        return split == SplitChoice.Validation ? validation : train;
    }

    static InvertMode ToInvertMode(InvertChoice choice) => choice switch
    {
        InvertChoice.Invert => InvertMode.Invert,
        InvertChoice.NoInvert => InvertMode.NoInvert,
        _ => InvertMode.Auto,
    };

    static (TestMetrics, RocCurve) Analyze(float[] distances, int[] labels, double threshold)
    {
        var m = Roc.Analyze(distances, labels);
        var curve = Roc.Curve(distances, labels);
        var metrics = new TestMetrics(m.Auc, m.YoudenThreshold, m.YoudenAccuracy, m.EqualErrorRate, threshold,
            Roc.AccuracyAt(distances, labels, threshold));
        var roc = new RocCurve(curve.Select(p => p.FalsePositiveRate).ToArray(), curve.Select(p => p.TruePositiveRate).ToArray(),
            curve.Select(p => p.Threshold).ToArray());
        return (metrics, roc);
    }

    /// <summary>
    /// One-shot trials over the test split and identification of every test image against a gallery drawn from the
    /// training images; both seeded by <paramref name="seed"/> alone, so train and eval with one seed agree.
    /// A count of 0 skips that protocol.
    /// </summary>
    static RecognitionFigures Recognize(Evaluator evaluator, MnistData data, int ways, int trials, int galleryPerDigit,
        double threshold, ulong seed)
    {
        var random = RunRandomness.Recognition(seed);
        OneShotFigures? oneShot = null;
        IdentificationFigures? identification = null;
        if (trials > 0)
        {
            var r = OneShot.Evaluate(evaluator, data.Test, ways, trials, random.OneShot);
            oneShot = new OneShotFigures(r.Ways, r.Trials, r.Accuracy, r.Low, r.High);
        }
        if (galleryPerDigit > 0)
        {
            // A model without a threshold (none chosen yet) answers every probe: nothing is "unknown".
            double t = double.IsNaN(threshold) ? double.PositiveInfinity : threshold;
            var r = Identification.Evaluate(evaluator, data.Train, data.Test, galleryPerDigit, t, random.Gallery);
            identification = new IdentificationFigures(r.GalleryPerDigit, r.Probes, r.Threshold, r.Accuracy, r.UnknownRate, r.AnsweredAccuracy);
        }
        return new RecognitionFigures(oneShot, identification);
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

    /// <summary>The Model's per-step progress as the host's record, with elapsed time counted from the epoch's start.</summary>
    sealed class ProgressAdapter(IProgress<HostProgress> target, Func<TimeSpan> epochStart) : IProgress<ModelProgress>
    {
        int _epoch;
        int _firstStep;

        public void Report(ModelProgress p)
        {
            // A resumed run starts mid-epoch: only the steps run here were timed.
            if (p.Epoch != _epoch) { _epoch = p.Epoch; _firstStep = p.StepInEpoch; }
            // The epoch's last step is followed by the epoch report, which carries the accuracies.
            if (p.StepInEpoch == p.StepsPerEpoch) return;
            target.Report(new HostProgress(p.Epoch, p.Epochs, p.StepInEpoch, p.StepsPerEpoch, p.MeanLossSoFar,
                p.PairsPerSecond, p.Elapsed - epochStart(), StepsTimed: p.StepInEpoch - _firstStep + 1));
        }
    }
}
