using System.Text;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuSiamese.Model.Backends;

/// <summary>One accelerator ILGPU found: kind is "cpu", "cuda" or "opencl".</summary>
public sealed record IlgpuDeviceInfo(string Kind, string Name, string Type, long MemoryBytes, bool IsPocl)
{
    public override string ToString()
    {
        string memory = MemoryBytes <= 0 || MemoryBytes == long.MaxValue ? "host memory" : $"{MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB";
        return $"{Kind,-7} {Name} ({Type}, {memory}{(IsPocl ? ", PoCL: runs with the compatibility step" : "")})";
    }
}

/// <summary>
/// Lists the accelerators ILGPU finds (its CPU accelerator, CUDA devices, OpenCL devices including PoCL)
/// and creates an <see cref="IlgpuBackend"/> for a kind. The CPU accelerator is sized to the machine:
/// one simulated thread per core in a single group, the shape that measured fastest among those the
/// public API offers (issue 3: 16 threads on 2 cores ran 2.8x slower).
/// </summary>
public static class IlgpuDevices
{
    /// <summary>The kinds <see cref="Create"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["cpu", "cuda", "opencl"];

    /// <summary>ILGPU's CPU accelerator with one simulated thread per core.</summary>
    public static CPUDevice CpuDevice() => new(Math.Max(1, Environment.ProcessorCount), 1, 1);

    /// <summary>Every accelerator found, CPU accelerator first.</summary>
    public static IReadOnlyList<IlgpuDeviceInfo> List()
    {
        PoclCompatibility.PrepareProcess();
        using var context = Context.Create(b => b.CPU(CpuDevice()).Cuda().OpenCL(_ => true));
        return context.Devices.Select(Describe).ToList();
    }

    /// <summary>The listing the host prints for the <c>devices</c> command, one device per line.</summary>
    public static string DescribeDevices()
    {
        var text = new StringBuilder();
        var devices = List();
        foreach (var kind in Kinds)
        {
            var found = devices.Where(d => d.Kind == kind).ToList();
            if (found.Count == 0) text.AppendLine($"{kind,-7} none found{MissingHint(kind)}");
            foreach (var d in found) text.AppendLine(d.ToString());
        }
        return text.ToString();
    }

    /// <summary>
    /// Creates a backend on the first fitting device of <paramref name="kind"/> ("cpu", "cuda", "opencl";
    /// for OpenCL a GPU is preferred to a CPU device). Throws <see cref="IlgpuAcceleratorException"/> when
    /// there is none (saying what was found), or when a PoCL device fails its compatibility check.
    /// </summary>
    public static IlgpuBackend Create(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        kind = kind.Trim().ToLowerInvariant();
        if (!Kinds.Contains(kind))
            throw new ArgumentException($"unknown ILGPU accelerator '{kind}'; expected one of: {string.Join(", ", Kinds)}", nameof(kind));
        if (kind != "cpu") PoclCompatibility.PrepareProcess();
        // Algorithms enabled: the GPU plans sum with ILGPU.Algorithms' warp reductions (KernelVariants).
        var context = kind switch
        {
            "cpu" => Context.Create(b => b.CPU(CpuDevice()).EnableAlgorithms()),
            "cuda" => Context.Create(b => b.Cuda().EnableAlgorithms()),
            _ => Context.Create(b => b.OpenCL(_ => true).EnableAlgorithms()),
        };
        try
        {
            // A context with no device of the asked type falls back to ILGPU's default CPU device: filter by type.
            var wanted = kind switch { "cpu" => AcceleratorType.CPU, "cuda" => AcceleratorType.Cuda, _ => AcceleratorType.OpenCL };
            var device = context.Devices
                .Where(d => d.AcceleratorType == wanted)
                .OrderBy(d => d.AcceleratorType == AcceleratorType.OpenCL && d is CLDevice cl && cl.DeviceType != CLDeviceType.CL_DEVICE_TYPE_GPU ? 1 : 0)
                .FirstOrDefault()
                ?? throw new IlgpuAcceleratorException(
                    $"no {kind.ToUpperInvariant()} device found{MissingHint(kind)}; ILGPU found: {string.Join("; ", List())}");
            var pocl = device is CLDevice c && PoclCompatibility.IsPocl(c);
            if (device is CLDevice clDevice) PoclCompatibility.Apply(clDevice);
            var accelerator = device.CreateAccelerator(context);
            string name = Describe(device) switch
            {
                { Kind: "cpu" } => $"ILGPU CPU accelerator ({accelerator.MaxNumThreads} threads)",
                var d => $"ILGPU {(kind == "cuda" ? "CUDA" : "OpenCL")}: {d.Name}{(d.IsPocl ? " (PoCL)" : "")}",
            };
            IlgpuBackend backend;
            try
            {
                backend = new IlgpuBackend(context, accelerator, name);
            }
            catch (Exception e) when (pocl && e is not IlgpuAcceleratorException)
            {
                accelerator.Dispose();
                throw new IlgpuAcceleratorException(
                    $"PoCL compatibility: the kernels did not compile on {device.Name} ({e.GetType().Name}: {e.Message}); " +
                    "checked with ILGPU 1.5.3 and PoCL 3.1; use --accelerator cpu or simd.", e);
            }
            if (pocl)
            {
                try { PoclCompatibility.Verify(backend, device.Name); }
                catch { backend.Dispose(); throw; }
            }
            return backend;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    static IlgpuDeviceInfo Describe(Device d) => d switch
    {
        CPUDevice cpu => new IlgpuDeviceInfo("cpu", "ILGPU CPU accelerator", $"simulator, {cpu.NumThreads} threads", d.MemorySize, false),
        CudaDevice cuda => new IlgpuDeviceInfo("cuda", d.Name, $"CUDA {cuda.Architecture}", d.MemorySize, false),
        CLDevice cl => new IlgpuDeviceInfo("opencl", d.Name.Trim(), $"{cl.DeviceType switch
        {
            CLDeviceType.CL_DEVICE_TYPE_GPU => "GPU",
            CLDeviceType.CL_DEVICE_TYPE_CPU => "CPU",
            _ => cl.DeviceType.ToString(),
        }}, {cl.PlatformName.Trim()}", d.MemorySize, PoclCompatibility.IsPocl(cl)),
        _ => new IlgpuDeviceInfo(d.AcceleratorType.ToString().ToLowerInvariant(), d.Name, d.AcceleratorType.ToString(), d.MemorySize, false),
    };

    static string MissingHint(string kind) => kind switch
    {
        "opencl" => " (install pocl-opencl-icd for PoCL's CPU device, or a GPU's OpenCL driver)",
        "cuda" => " (needs an NVIDIA GPU and its driver)",
        _ => "",
    };
}
