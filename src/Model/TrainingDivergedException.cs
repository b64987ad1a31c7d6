namespace GpuSiamese.Model;

/// <summary>
/// A non-finite loss or parameter stopped training; nothing of the diverged state was applied or saved.
/// The message says what the caller kept (<see cref="WithKept"/>): the trainer itself saves nothing.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(int epoch, int stepInEpoch, long globalStep, string what, string? kept = null)
        : base($"training stopped at epoch {epoch}, step {stepInEpoch} (global step {globalStep}): {what}" +
               (kept is null ? "" : $"; {kept}") + ". Try a lower --lr or --clip-norm.")
    {
        Epoch = epoch;
        StepInEpoch = stepInEpoch;
        GlobalStep = globalStep;
        What = what;
    }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch.</summary>
    public int StepInEpoch { get; }

    /// <summary>1-based step over the whole run.</summary>
    public long GlobalStep { get; }

    /// <summary>What was found not finite, e.g. "the loss is NaN".</summary>
    public string What { get; }

    /// <summary>The same fault, its message saying what was kept (e.g. "the checkpoint of epoch 2 is kept in …").</summary>
    public TrainingDivergedException WithKept(string kept) => new(Epoch, StepInEpoch, GlobalStep, What, kept);
}
