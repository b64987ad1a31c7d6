using System.Diagnostics;
using GpuSiamese.Data;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Progress;

namespace GpuSiamese.Host.Jobs;

/// <summary>The host's commands carried out by src/Data and src/Model.</summary>
public sealed class ModelJobs : IModelJobs
{
    public TrainingOutcome Train(TrainOptions options, string checkpointPath, Action<string> log,
        IProgress<EpochProgress> progress, CancellationToken cancel)
    {
        var config = options.Training;
        var run = new TrainingRun(new TrainingRequest(config)
        {
            DataDir = options.DataDir,
            Resume = options.Resume,
            PositivesPerDigit = options.PositivesPerDigit,
            NegativesPerPair = options.NegativesPerPair,
            Recognition = new RecognitionSettings(options.OneShotWays, options.OneShotTrials, options.GalleryPerDigit),
        });
        // The device first: a missing one is refused before MNIST is read.
        using var backend = AcceleratorBackends.Create(options.Accelerator, log);
        var display = new EpochProgressSource(progress, config.Epochs, config.StepsPerEpoch);
        using (run) // before the backend its buffers live on
            return run.Execute(backend, checkpointPath, log, display, display.EpochCompleted, cancel);
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
        var (metrics, roc) = TestMetrics.Of(distances, labels, checkpoint.Threshold);
        var scores = new PairScores(distances, labels, i => new PairImages(
            pixels.AsSpan(i * PairArrays.PairSize, ImageSet.Size).ToArray(),
            pixels.AsSpan(i * PairArrays.PairSize + ImageSet.Size, ImageSet.Size).ToArray()));
        // The protocols need labelled images: the test split, which a pair file does not carry.
        var recognition = data is null ? RecognitionFigures.None : RecognitionFigures.Measure(evaluator, data.Train, data.Test,
            new RecognitionSettings(options.OneShotWays, options.OneShotTrials, options.GalleryPerDigit),
            options.UnknownThreshold ?? checkpoint.Threshold, options.Seed);
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
}
