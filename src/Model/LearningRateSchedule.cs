namespace GpuSiamese.Model;

/// <summary>How the learning rate changes over a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>lr stays constant.</summary>
    None = 0,
    /// <summary>lr·γ^⌊epoch / stepEpochs⌋ (epoch counted from 0).</summary>
    Step = 1,
    /// <summary>lr·(f + (1 − f)·(1 + cos(π·s/S))/2) over the run's S steps, f = the final fraction.</summary>
    Cosine = 2,
}
