namespace GpuSiamese.Model.Backends;

/// <summary>
/// The one place a backend is made from an accelerator's name (as <c>--accelerator</c> spells it), for the host, the
/// profiler and the tests: cpu, cuda and opencl are ILGPU accelerators, simd the vectorised host backend, and auto the
/// fastest present — CUDA, then an OpenCL GPU, then simd — saying which it picked.
/// </summary>
public static class Accelerators
{
    /// <summary>Every name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "cuda", "opencl", "simd", "auto"];

    /// <param name="simdThreads">Worker threads of the simd backend (null = one per core).</param>
    /// <param name="maxSimdBits">The simd backend's widest register (512, 256 or 128).</param>
    public static IBackend Create(string name, Action<string> log, int? simdThreads = null, int maxSimdBits = 512) => name switch
    {
        "simd" => new SimdBackend(simdThreads, maxSimdBits),
        "cpu" or "cuda" or "opencl" => Ilgpu(name),
        "auto" => Auto(log, simdThreads, maxSimdBits),
        _ => throw new ArgumentException($"--accelerator expects one of {string.Join('|', Names)}, got '{name}'"),
    };

    /// <summary>The devices a person could name: the simd backend, then ILGPU's accelerators (or why ILGPU could not list them).</summary>
    public static IReadOnlyList<DeviceDescription> Describe()
    {
        var devices = new List<DeviceDescription>();
        using (var simd = new SimdBackend())
            devices.Add(new DeviceDescription("simd", simd.Name, "vectorised host backend"));
        try
        {
            foreach (var d in IlgpuDevices.List())
                devices.Add(new DeviceDescription(d.Kind, d.Name, d.Type + (d.IsPocl ? ", PoCL: compatibility step applied" : "")));
        }
        catch (IlgpuAcceleratorException e)
        {
            devices.Add(new DeviceDescription("ilgpu", "ILGPU could not list its accelerators", e.Message));
        }
        return devices;
    }

    static IBackend Auto(Action<string> log, int? simdThreads, int maxSimdBits)
    {
        IBackend backend = Pick(simdThreads, maxSimdBits);
        log($"--accelerator auto picked {backend.Name}");
        return backend;
    }

    static IBackend Pick(int? simdThreads, int maxSimdBits)
    {
        IReadOnlyList<IlgpuDeviceInfo> devices;
        try { devices = IlgpuDevices.List(); }
        catch (IlgpuAcceleratorException) { devices = []; }
        if (devices.Any(d => d.Kind == "cuda")) return Ilgpu("cuda");
        if (devices.Any(d => d.Kind == "opencl" && d.Type.Contains("GPU", StringComparison.OrdinalIgnoreCase)))
            return Ilgpu("opencl");
        return new SimdBackend(simdThreads, maxSimdBits);
    }

    /// <summary>An ILGPU backend of <paramref name="kind"/>; IlgpuDevices refuses a kind that is absent (never a CPU stand-in).</summary>
    static IBackend Ilgpu(string kind)
    {
        try { return IlgpuDevices.Create(kind); }
        catch (IlgpuAcceleratorException e) { throw new IlgpuAcceleratorException($"--accelerator {kind}: {e.Message}", e); }
    }
}

/// <summary>One device a person could pass to --accelerator: its kind (cpu, cuda, opencl, simd), name and details.</summary>
public sealed record DeviceDescription(string Accelerator, string Name, string Details);
