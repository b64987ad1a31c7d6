using GpuSiamese.Host.Options;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Host.Jobs;

/// <summary>
/// --accelerator to a backend: cpu, cuda and opencl are ILGPU accelerators, simd the vectorised host backend, and
/// auto the fastest present — CUDA, then an OpenCL GPU, then simd — saying which it picked.
/// </summary>
public static class AcceleratorBackends
{
    public static IBackend Create(AcceleratorChoice choice, Action<string> log) => choice switch
    {
        AcceleratorChoice.Simd => new SimdBackend(),
        AcceleratorChoice.Cpu => Ilgpu("cpu"),
        AcceleratorChoice.Cuda => Ilgpu("cuda"),
        AcceleratorChoice.OpenCl => Ilgpu("opencl"),
        AcceleratorChoice.Auto => Auto(log),
        _ => throw new ArgumentException($"--accelerator: unknown choice {choice}"),
    };

    static IBackend Auto(Action<string> log)
    {
        IBackend backend = Pick();
        log($"--accelerator auto picked {backend.Name}");
        return backend;
    }

    static IBackend Pick()
    {
        IReadOnlyList<IlgpuDeviceInfo> devices;
        try { devices = IlgpuDevices.List(); }
        catch (IlgpuAcceleratorException) { devices = []; }
        if (devices.Any(d => d.Kind == "cuda")) return Ilgpu("cuda");
        if (devices.Any(d => d.Kind == "opencl" && d.Type.Contains("GPU", StringComparison.OrdinalIgnoreCase)))
            return Ilgpu("opencl");
        return new SimdBackend();
    }

    /// <summary>An ILGPU backend of <paramref name="kind"/>; IlgpuDevices refuses a kind that is absent (never a CPU stand-in).</summary>
    static IBackend Ilgpu(string kind)
    {
        try { return IlgpuDevices.Create(kind); }
        catch (IlgpuAcceleratorException e) { throw new IlgpuAcceleratorException($"--accelerator {kind}: {e.Message}", e); }
    }
}
