using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Progress;

namespace GpuSiamese.Host.Jobs;

/// <summary>
/// The seam between the host and the training engine: everything the commands need from src/Model and src/Data.
/// The host parses, validates, displays and writes files; an implementation of this interface loads data, trains,
/// scores and embeds. User errors are thrown as ArgumentException, InvalidDataException, FileNotFoundException or
/// the data layer's MnistUnavailableException with a message that names the culprit.
/// </summary>
public interface IModelJobs
{
    /// <summary>
    /// Trains as <paramref name="options"/> says, writes the checkpoint to <paramref name="checkpointPath"/>, evaluates on
    /// a fresh balanced test set and returns what the run folder records. On cancellation: finish the current step,
    /// write the checkpoint, then throw <see cref="OperationCanceledException"/>.
    /// </summary>
    TrainingOutcome Train(TrainOptions options, string checkpointPath, Action<string> log,
        IProgress<EpochProgress> progress, CancellationToken cancel);

    /// <summary>Scores the given pair set, or a fresh balanced one from the test split when none is given.</summary>
    EvaluationOutcome Evaluate(EvalOptions options, Action<string> log, CancellationToken cancel);

    /// <summary>Preprocesses both image files as MNIST was built and measures their distance under the model.</summary>
    ComparisonOutcome Compare(CompareOptions options);

    /// <summary>The embedding G(x) of every image of a split, or of every image file given.</summary>
    EmbeddingOutcome Embed(EmbedOptions options, Action<string> log, CancellationToken cancel);

    /// <summary>The compute devices the engine can use (ILGPU's accelerators and the SIMD backend).</summary>
    IReadOnlyList<DeviceDescription> ListDevices();
}
