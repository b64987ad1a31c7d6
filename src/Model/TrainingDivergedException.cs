namespace GpuSiamese.Model;

/// <summary>A non-finite loss or parameter stopped training; nothing of the diverged state was applied or saved.</summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(int epoch, int stepInEpoch, long globalStep, string what)
        : base($"training stopped at epoch {epoch}, step {stepInEpoch} (global step {globalStep}): {what}; " +
               "the last good checkpoint is kept. Try a lower --lr or --clip-norm.")
    {
        Epoch = epoch;
        StepInEpoch = stepInEpoch;
        GlobalStep = globalStep;
    }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch.</summary>
    public int StepInEpoch { get; }

    /// <summary>1-based step over the whole run.</summary>
    public long GlobalStep { get; }
}
