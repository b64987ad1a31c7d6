using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// A small persistent pool for <see cref="SimdBackend"/>: the calling thread runs part 0 of a job and
/// threads-1 workers run the others. A training step is a string of ~10–100 µs operations, so workers spin
/// briefly after each job (waking a sleeping thread costs tens of µs) and only then block.
/// </summary>
public sealed class SimdWorkerPool : IDisposable
{
    static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    readonly Thread[] workers;
    readonly object gate = new();
    Action<int>? job;
    long generation;
    int pending;
    volatile bool disposed;
    Exception? failure;

    public SimdWorkerPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "the SIMD backend needs at least one thread");
        Threads = threads;
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.Length; w++)
        {
            int part = w + 1;
            workers[w] = new Thread(() => Work(part)) { IsBackground = true, Name = $"simd worker {part}" };
            workers[w].Start();
        }
    }

    /// <summary>Threads a job is split over, the caller's included.</summary>
    public int Threads { get; }

    /// <summary>
    /// Runs body(0..Threads-1) in parallel and returns when all have finished; a worker's exception is
    /// rethrown here as itself, so a bad argument reads the same whether or not the work was split.
    /// </summary>
    public void Run(Action<int> body)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (workers.Length == 0)
        {
            body(0);
            return;
        }
        job = body;
        failure = null;
        Volatile.Write(ref pending, workers.Length);
        lock (gate)
        {
            Interlocked.Increment(ref generation);
            Monitor.PulseAll(gate);
        }
        try
        {
            body(0);
        }
        finally
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            job = null;
        }
        if (failure != null) ExceptionDispatchInfo.Throw(failure);
    }

    void Work(int part)
    {
        long seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref generation) == seen && !disposed && Stopwatch.GetTimestamp() - start < SpinTicks)
                Thread.SpinWait(16);
            if (Volatile.Read(ref generation) == seen && !disposed)
                lock (gate)
                    while (Volatile.Read(ref generation) == seen && !disposed) Monitor.Wait(gate);
            if (disposed) return;
            seen = Volatile.Read(ref generation);
            try
            {
                job!(part);
            }
            catch (Exception e)
            {
                failure = e;
            }
            Interlocked.Decrement(ref pending);
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        lock (gate) Monitor.PulseAll(gate);
        foreach (var t in workers) t.Join();
    }
}
