namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>
/// How a kernel's units of work are spread over its threads: thread t runs units
/// [t·PerThread, min((t+1)·PerThread, Units)) in order. On GPUs PerThread = 1 (one thread per unit);
/// on ILGPU's CPU accelerator a few threads each walk a contiguous block, in memory order.
/// </summary>
public readonly struct WorkSplit
{
    public readonly int Units;
    public readonly int PerThread;

    public WorkSplit(int units, int perThread)
    {
        Units = units;
        PerThread = perThread;
    }

    /// <summary>Number of threads to launch.</summary>
    public int Threads => PerThread <= 0 ? 0 : (Units + PerThread - 1) / PerThread;

    /// <summary>First unit of thread <paramref name="thread"/>.</summary>
    public int Begin(int thread) => thread * PerThread;

    /// <summary>One past the last unit of thread <paramref name="thread"/>.</summary>
    public int End(int thread)
    {
        int end = thread * PerThread + PerThread;
        return end < Units ? end : Units;
    }

    /// <summary>Splits <paramref name="units"/> over at most <paramref name="maxThreads"/> threads.</summary>
    public static WorkSplit Over(int units, int maxThreads)
    {
        int threads = Math.Max(1, Math.Min(units, maxThreads));
        return new WorkSplit(units, Math.Max(1, (units + threads - 1) / threads));
    }
}
