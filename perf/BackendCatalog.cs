using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>A backend the profiler can open: its accelerator name (as --accelerator spells it), a key for the
/// results file, and how to create it.</summary>
public sealed record BackendEntry(string Accelerator, string Key, Func<IBackend> Create);

/// <summary>
/// The one place that knows which backends exist. Another backend family joins with a line in
/// <see cref="Discover"/>, e.g. for each ILGPU device found:
/// <c>yield return new BackendEntry("opencl", "opencl-pocl", () => new IlgpuBackend(device));</c>
/// </summary>
public static class BackendCatalog
{
    /// <summary>What --accelerator accepts besides "all".</summary>
    public static readonly string[] Accelerators = ["simd", "cpu", "opencl", "cuda"];

    public static IEnumerable<BackendEntry> Discover(ProfilerOptions options)
    {
        string key = options.Threads is { } t ? $"simd-{t}t" : "simd";
        yield return new BackendEntry("simd", key, () => new SimdBackend(options.Threads, options.MaxVectorBits));
    }
}
