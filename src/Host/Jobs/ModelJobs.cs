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
        using (run) // disposed before the backend its buffers live on
            return run.Execute(backend, checkpointPath, log, display, display.EpochCompleted, cancel);
    }

    public EvaluationOutcome Evaluate(EvalOptions options, Action<string> log, CancellationToken cancel) =>
        EvaluationRun.Execute(new EvaluationRequest(options.ModelPath)
        {
            PairsPath = options.PairsPath,
            LabelsPath = options.LabelsPath,
            DataDir = options.DataDir,
            Seed = options.Seed,
            PositivesPerDigit = options.PositivesPerDigit,
            NegativesPerPair = options.NegativesPerPair,
            Recognition = new RecognitionSettings(options.OneShotWays, options.OneShotTrials, options.GalleryPerDigit),
            UnknownThreshold = options.UnknownThreshold,
        }, () => AcceleratorBackends.Create(options.Accelerator, log), log, cancel);

    public ComparisonOutcome Compare(CompareOptions options) =>
        ImageComparison.Execute(options.ModelPath, options.ImageA, options.ImageB, options.Invert,
            () => AcceleratorBackends.Create(options.Accelerator, _ => { }));

    public EmbeddingOutcome Embed(EmbedOptions options, Action<string> log, CancellationToken cancel) =>
        EmbeddingRun.Execute(new EmbeddingRequest(options.ModelPath)
        {
            Split = options.Split,
            Images = options.Images,
            DataDir = options.DataDir,
            Seed = options.Seed,
            ValidationFraction = options.Validation,
            Invert = options.Invert,
        }, () => AcceleratorBackends.Create(options.Accelerator, log), log, cancel);

    public IReadOnlyList<DeviceDescription> ListDevices() => Accelerators.Describe();
}
