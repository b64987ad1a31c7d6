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
