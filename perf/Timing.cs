using System.Diagnostics;

namespace GpuSiamese.Perf;

/// <summary>The time of one operation: its first call (JIT or kernel compile included) and, warm, the median.</summary>
public readonly record struct Timed(double FirstUs, double MedianUs, double MeanUs);

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
        return new Timed(first, samples[samples.Count / 2], samples.Average());
    }

    static double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
}
