using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>
/// What splitting an operation over the SIMD backend's threads costs: an empty job, and a job of one part
/// per thread each spinning a fixed ~10 µs, against the same work done on the calling thread alone.
/// Splitting pays where the work saved exceeds the first figure.
/// </summary>
public sealed class WorkerPoolProfile : IProfileSection
{
    public void Run(IBackend backend, ProfilerOptions options, Report report)
    {
        if (backend is not SimdBackend simd || simd.Threads < 2) return;
        report.Heading($"Splitting over {simd.Threads} threads");
        using var pool = new SimdWorkerPool(simd.Threads);
        int parts = 4 * simd.Threads;
        var empty = Timing.Measure(() => pool.Run(parts, (_, _) => { }), options.Quick);
        const double pieceUs = 2.5;
        void Busy()
        {
            long end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(pieceUs * System.Diagnostics.Stopwatch.Frequency / 1e6);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < end) Thread.SpinWait(4);
        }
        var split = Timing.Measure(() => pool.Run(parts, (_, _) => Busy()), options.Quick);
        report.Table(["job", "median µs", "alone on the caller µs"],
        [
            [$"empty, {parts} parts", Report.Us(empty.MedianUs), "0"],
            [$"{parts} parts of {pieceUs} µs busy-wait", Report.Us(split.MedianUs), Report.Us(parts * pieceUs)],
        ]);
        report.Line($"Ideal for the second row: {Report.Us(parts * pieceUs / simd.Threads)} µs; more means a thread was late or busy elsewhere (its parts were taken over).");
    }
}
