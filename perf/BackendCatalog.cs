using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>A backend the profiler can open: its accelerator name (as --accelerator spells it), a key for the
/// results file, and how to create it.</summary>
public sealed record BackendEntry(string Accelerator, string Key, Func<IBackend> Create);

/// <summary>
/// The one place that knows which backends exist: the SIMD host backend, and each ILGPU accelerator kind
/// that <see cref="IlgpuDevices"/> finds on this machine (cpu = ILGPU's CPU accelerator; opencl = an OpenCL
/// device, PoCL's CPU device here; cuda where an NVIDIA GPU is present).
/// </summary>
public static class BackendCatalog
{
    /// <summary>What --accelerator accepts besides "all".</summary>
    public static readonly string[] Accelerators = ["simd", "cpu", "opencl", "cuda"];

    public static IEnumerable<BackendEntry> Discover(ProfilerOptions options)
    {
        string key = options.Threads is { } t ? $"simd-{t}t" : "simd";
        yield return new BackendEntry("simd", key, () => GpuSiamese.Model.Backends.Accelerators.Create("simd", _ => { }, options.Threads, options.MaxVectorBits));
        // Listing the devices loads the OpenCL and CUDA drivers: only when an ILGPU kind is asked for.
        if (options.Accelerator == "simd") yield break;
        var found = IlgpuDevices.List();
        foreach (var kind in IlgpuDevices.Kinds)
        {
            var device = found.FirstOrDefault(d => d.Kind == kind);
            if (device == null) continue;
            yield return new BackendEntry(kind, kind, () => GpuSiamese.Model.Backends.Accelerators.Create(kind, _ => { }));
        }
    }
}
