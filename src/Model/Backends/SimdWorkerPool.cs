using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// A small persistent pool for <see cref="SimdBackend"/>. A job is cut into parts that the calling thread
/// and the workers claim one at a time, so a worker that is late (asleep, or descheduled on a busy machine)
/// costs nothing: the caller takes its parts. A training step is a string of ~10–100 µs operations, so
/// workers spin briefly after each job (waking a sleeping thread costs tens of µs) and only then block.
/// </summary>
public sealed class SimdWorkerPool : IDisposable
{
    static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    readonly Thread[] workers;
    readonly object gate = new();
    Action<int, int>? job;
    int parts;
    // High 32 bits: the job's generation; low 32 bits: the next unclaimed part. One word, so that a claim
    // made for a finished job fails instead of taking a part of the next one.
    long state;
    int completed;
    volatile bool disposed;
    Exception? failure;

    public SimdWorkerPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "the SIMD backend needs at least one thread");
        Threads = threads;
        workers = new Thread[threads - 1];
        for (int w = 0; w < workers.Length; w++)
        {
            int worker = w + 1;
            workers[w] = new Thread(() => Work(worker)) { IsBackground = true, Name = $"simd worker {worker}" };
            workers[w].Start();
        }
    }

    /// <summary>Threads a job is split over, the caller's included.</summary>
    public int Threads { get; }

    /// <summary>
    /// Runs body(part, worker) for every part in 0..parts-1 and returns when all have finished; worker is
    /// 0 for the calling thread and 1..Threads-1 for the pool's threads (an index for per-thread scratch).
    /// A part's exception is rethrown here as itself, so a bad argument reads the same whether or not the
    /// work was split.
    /// </summary>
    public void Run(int parts, Action<int, int> body)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (workers.Length == 0 || parts <= 1)
        {
            for (int p = 0; p < parts; p++) body(p, 0);
            return;
        }
        job = body;
        this.parts = parts;
        failure = null;
        Volatile.Write(ref completed, 0);
        long generation = (Volatile.Read(ref state) >> 32) + 1;
        lock (gate)
        {
            Volatile.Write(ref state, generation << 32);
            Monitor.PulseAll(gate);
        }
        Claim(generation, 0);
        var spin = new SpinWait();
        while (Volatile.Read(ref completed) != parts) spin.SpinOnce(sleep1Threshold: -1);
        job = null;
        if (failure != null) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Runs parts of the job of this generation until none is left unclaimed.</summary>
    void Claim(long generation, int worker)
    {
        while (true)
        {
            long s = Volatile.Read(ref state);
            if (s >> 32 != generation) return;
            int part = (int)(s & 0xFFFF_FFFF);
            if (part >= Volatile.Read(ref parts)) return;
            if (Interlocked.CompareExchange(ref state, s + 1, s) != s) continue;
            // The job cannot change before this part completes, so reading it after the claim is safe.
            try
            {
                job!(part, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            Interlocked.Increment(ref completed);
        }
    }

    void Work(int worker)
    {
        long seen = 0;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref state) >> 32 == seen && !disposed && Stopwatch.GetTimestamp() - start < SpinTicks)
                Thread.SpinWait(16);
            if (Volatile.Read(ref state) >> 32 == seen && !disposed)
                lock (gate)
                    while (Volatile.Read(ref state) >> 32 == seen && !disposed) Monitor.Wait(gate);
            if (disposed) return;
            seen = Volatile.Read(ref state) >> 32;
            Claim(seen, worker);
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
