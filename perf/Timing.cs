using System.Diagnostics;

namespace GpuSiamese.Perf;

/// <summary>The time of one operation: its first call (JIT or kernel compile included) and, warm, the median and the best sample.</summary>
public readonly record struct Timed(double FirstUs, double MedianUs, double MeanUs, double BestUs);

/// <summary>Times an operation: first call alone, a warm-up, then the median of samples of ≥ 20 µs each.</summary>
public static class Timing
{
    public static Timed Measure(Action op, bool quick, Action? sync = null)
    {
        long t0 = Stopwatch.GetTimestamp();
        op();
        sync?.Invoke();
        double first = Us(Stopwatch.GetTimestamp() - t0);

        var warm = Stopwatch.StartNew();
        int warmCalls = 0;
        while (warmCalls < 5 || warm.Elapsed.TotalMilliseconds < (quick ? 5 : 20)) { op(); warmCalls++; }
        sync?.Invoke();
        double perCall = warm.Elapsed.TotalMicroseconds / warmCalls;
        int inner = Math.Max(1, (int)Math.Ceiling(20 / Math.Max(perCall, 0.01)));

        var samples = new List<double>();
        var budget = Stopwatch.StartNew();
        double budgetMs = quick ? 40 : 200;
        while (samples.Count < 7 || (samples.Count < 101 && budget.Elapsed.TotalMilliseconds < budgetMs))
        {
            long s = Stopwatch.GetTimestamp();
            for (int k = 0; k < inner; k++) op();
            sync?.Invoke();
            samples.Add(Us(Stopwatch.GetTimestamp() - s) / inner);
        }
        samples.Sort();
        return new Timed(first, samples[samples.Count / 2], samples.Average(), samples[0]);
    }

    static double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
}

/// <summary>
/// The CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID): on a machine shared with other
/// processes, a one-thread kernel's speed per second of CPU it actually got, robust to being descheduled.
/// </summary>
public static unsafe class ThreadCpuTime
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds, Nanoseconds; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, TimeSpec* ts);

    const int ClockThreadCpuTime = 3;

    public static bool Available => OperatingSystem.IsLinux();

    public static double NowUs()
    {
        TimeSpec t;
        ClockGetTime(ClockThreadCpuTime, &t);
        return t.Seconds * 1e6 + t.Nanoseconds / 1e3;
    }

    /// <summary>The least thread CPU time of one call over a few runs (after one warm call).</summary>
    public static double BestUs(Action op, int runs)
    {
        op();
        double best = double.MaxValue;
        for (int r = 0; r < runs; r++)
        {
            double s = NowUs();
            op();
            best = Math.Min(best, NowUs() - s);
        }
        return best;
    }
}
