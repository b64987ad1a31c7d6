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
        AcceleratorChoice.Cpu => IlgpuDevices.Create("cpu"),
        AcceleratorChoice.Cuda => Present("cuda"),
        AcceleratorChoice.OpenCl => Present("opencl"),
        AcceleratorChoice.Auto => Auto(log),
        _ => throw new ArgumentException($"--accelerator: unknown choice {choice}"),
    };

    /// <summary>
    /// Checks the kind is among the devices ILGPU lists before creating it: a context built for CUDA alone still
    /// holds ILGPU's CPU accelerator, which must never stand in for a missing GPU.
    /// </summary>
    static IBackend Present(string kind)
    {
        var devices = IlgpuDevices.List();
        if (!devices.Any(d => d.Kind == kind))
            throw new IlgpuAcceleratorException($"--accelerator {kind}: no {kind} device found; found: " +
                string.Join(", ", devices.Select(d => $"{d.Kind} ({d.Name})")) + "; 'gpusiamese devices' lists them");
        var backend = IlgpuDevices.Create(kind);
        if (backend.Name.StartsWith("ILGPU CPU", StringComparison.Ordinal))
        {
            backend.Dispose();
            throw new IlgpuAcceleratorException($"--accelerator {kind}: ILGPU offered its CPU accelerator instead of a {kind} device");
        }
        return backend;
    }

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
        if (devices.Any(d => d.Kind == "cuda")) return Present("cuda");
        if (devices.Any(d => d.Kind == "opencl" && d.Type.Contains("GPU", StringComparison.OrdinalIgnoreCase)))
            return Present("opencl");
        return new SimdBackend();
    }
}
