using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// A small persistent pool for <see cref="SimdBackend"/>. A job is cut into parts that the calling thread
/// and the workers claim one at a time, so a worker that is late (asleep, or descheduled on a busy machine)
/// costs nothing: the caller takes its parts. A training step is a string of ~10–100 µs operations, so
/// workers spin briefly after each job (waking a sleeping thread costs tens of µs) and only then block.
/// A worker descheduled while it holds a part stalls the caller (measured: p90 of a step 4x the median on
/// a machine loaded by other processes), so after a wait far longer than a part takes, jobs run on the
/// caller alone for a while: 10 ms after a first stall, twice as long after each further one (up to 5 s),
/// halving again with every split that goes well. The pause is a time, not a count of jobs: a count sized
/// for a training step's 10–100 µs operations kept a 1024x1024 product (6 ms a job) on one thread for
/// seconds after one late wake-up on an idle machine. Under sustained contention the pool thus settles on
/// one thread (with autogroup scheduling a busy worker takes CPU from its own caller); on an idle
/// machine it keeps splitting.
/// </summary>
public sealed class SimdWorkerPool : IDisposable
{
    static readonly long SpinTicks = Stopwatch.Frequency / 20000; // 50 µs: covers the gaps inside a training step
    static readonly long StallTicks = Stopwatch.Frequency / 40000; // 25 µs
    static readonly long MinSoloTicks = Stopwatch.Frequency / 100, MaxSoloTicks = 5 * Stopwatch.Frequency; // 10 ms .. 5 s

    readonly Thread[] workers;
    readonly object gate = new();
    Action<int, int>? job;
    // Bits 32–62: the job's generation; bits 16–31: its number of parts; bits 0–15: the next unclaimed part. One
    // word, so that a claim read for a finished job fails instead of taking a part of the next one: the part count
    // once lived in a field of its own, written before the new generation was published, and a worker that had
    // read the finished job's exhausted counter, then the next job's larger count, claimed a part of the next job
    // under the old generation; it ran twice, the count of completed parts overshot and the caller spun forever
    // (seen as a training run that stopped making progress on a loaded machine).
    long state;
    const int MaxParts = 0xFFFF;
    int completed;
    volatile bool disposed;
    Exception? failure;
    // While not 0: jobs run on the caller alone until the clock reaches it.
    long soloUntil, backoff = MinSoloTicks;

    // The clock the stall rule reads (Stopwatch's timestamps; a test gives its own, to decide what a part "took").
    readonly Func<long> clock;

    public SimdWorkerPool(int threads) : this(threads, Stopwatch.GetTimestamp) { }

    /// <summary>A pool whose stall rule reads <paramref name="clock"/> (in <see cref="Stopwatch"/> ticks) instead of the real time.</summary>
    public SimdWorkerPool(int threads, Func<long> clock)
    {
        this.clock = clock;
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

    /// <summary>How many times a late worker made the pool fall back to the caller alone.</summary>
    public int Stalls { get; private set; }

    /// <summary>
    /// Runs body(part, worker) for every part in 0..parts-1 and returns when all have finished; worker is
    /// 0 for the calling thread and 1..Threads-1 for the pool's threads (an index for per-thread scratch).
    /// A part's exception is rethrown here as itself, so a bad argument reads the same whether or not the
    /// work was split.
    /// </summary>
    public void Run(int parts, Action<int, int> body)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (soloUntil != 0 && clock() >= soloUntil) soloUntil = 0;
        if (workers.Length == 0 || parts <= 1 || soloUntil != 0)
        {
            for (int p = 0; p < parts; p++) body(p, 0);
            return;
        }
        if (parts > MaxParts) throw new ArgumentOutOfRangeException(nameof(parts), parts, $"a job of at most {MaxParts} parts");
        job = body;
        failure = null;
        Volatile.Write(ref completed, 0);
        // 31 bits of generation, wrapping: only equality is ever asked of it.
        long generation = (Generation(Volatile.Read(ref state)) + 1) & int.MaxValue;
        lock (gate)
        {
            Volatile.Write(ref state, generation << 32 | (long)parts << 16);
            Monitor.PulseAll(gate);
        }
        long start = clock();
        int own = Claim(generation, 0);
        long waitFrom = clock();
        var spin = new SpinWait();
        while (Volatile.Read(ref completed) != parts) spin.SpinOnce(sleep1Threshold: -1);
        job = null;
        // A fair wait is the rest of one part; far longer means a worker lost its core mid-part.
        if (own > 0 && clock() - waitFrom > 2 * (waitFrom - start) / own + StallTicks)
        {
            soloUntil = clock() + backoff;
            backoff = Math.Min(2 * backoff, MaxSoloTicks);
            Stalls++;
        }
        else backoff = Math.Max(backoff / 2, MinSoloTicks);
        if (failure != null) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Runs parts of the job of this generation until none is left unclaimed; returns how many.</summary>
    int Claim(long generation, int worker)
    {
        for (int done = 0; ; done++)
        {
            long s = Volatile.Read(ref state);
            if (Generation(s) != generation) return done;
            int part = (int)(s & 0xFFFF), parts = (int)(s >> 16 & 0xFFFF);
            if (part >= parts) return done;
            if (Interlocked.CompareExchange(ref state, s + 1, s) != s)
            {
                done--;
                continue;
            }
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
            while (Generation(Volatile.Read(ref state)) == seen && !disposed && Stopwatch.GetTimestamp() - start < SpinTicks)
                Thread.SpinWait(16);
            if (Generation(Volatile.Read(ref state)) == seen && !disposed)
                lock (gate)
                    while (Generation(Volatile.Read(ref state)) == seen && !disposed) Monitor.Wait(gate);
            if (disposed) return;
            seen = Generation(Volatile.Read(ref state));
            Claim(seen, worker);
        }
    }

    static long Generation(long state) => state >>> 32;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        lock (gate) Monitor.PulseAll(gate);
        foreach (var t in workers) t.Join();
    }
}
