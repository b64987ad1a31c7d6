using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace GpuSiamese.Perf;

/// <summary>
/// Which types this process allocates, sampled in-process from the runtime's GCAllocationTick events (one event per
/// ~100 KB allocated, naming the type of the object that crossed the mark): bytes per type are the events' amounts,
/// so a type's share is an estimate that improves with the run's length. serve-load --allocations prints the top.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    readonly ConcurrentDictionary<string, long> _bytes = new();
    volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The types with the most sampled bytes, largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> Top(int count) =>
        _bytes.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value)).ToArray();

    public long Total => _bytes.Values.Sum();

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Keyword 0x1 = GC; verbose level brings the allocation ticks.
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
            return;
        int type = e.PayloadNames.IndexOf("TypeName"), amount = e.PayloadNames.IndexOf("AllocationAmount64");
        if (type < 0 || amount < 0) return;
        string name = e.Payload![type] as string ?? "?";
        long bytes = Convert.ToInt64(e.Payload[amount]);
        _bytes.AddOrUpdate(name, bytes, (_, b) => b + bytes);
    }
}
