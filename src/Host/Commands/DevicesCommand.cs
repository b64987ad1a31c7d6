using System.CommandLine;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuSiamese.Host.Output;

namespace GpuSiamese.Host.Commands;

/// <summary>devices: what this machine offers — the host's vector units, and the devices the training engine finds.</summary>
public static class DevicesCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("devices", "List the compute devices found: the host CPU's vector support (for --accelerator simd) and the ILGPU accelerators (cpu, cuda, opencl)");
        command.SetAction(_ => Run(context));
        return command;
    }

    public static int Run(CommandContext context)
    {
        var output = context.Console.Out;
        MetricsReport.Line(output, "host", $"{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}");
        MetricsReport.Line(output, "vectors", VectorSupport());
        if (context.Jobs is null)
        {
            output.WriteLine("engine devices are not listed: this build of the host was started without the training engine");
            return ExitCodes.Ok;
        }
        var devices = context.Jobs.ListDevices();
        output.WriteLine(devices.Count == 0 ? "no devices found by the engine" : "devices (--accelerator):");
        foreach (var d in devices)
            output.WriteLine($"  {d.Accelerator,-8}{d.Name}{(d.Details.Length > 0 ? "  — " + d.Details : "")}");
        return ExitCodes.Ok;
    }

    /// <summary>Which vector widths run in hardware, and the instruction sets behind them.</summary>
    public static string VectorSupport()
    {
        var widths = new List<string>();
        if (Vector512.IsHardwareAccelerated) widths.Add("512-bit");
        if (Vector256.IsHardwareAccelerated) widths.Add("256-bit");
        if (Vector128.IsHardwareAccelerated) widths.Add("128-bit");
        var sets = new List<string>();
        if (Avx512F.IsSupported) sets.Add("AVX-512F");
        if (Avx2.IsSupported) sets.Add("AVX2");
        if (Fma.IsSupported) sets.Add("FMA");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) sets.Add("AdvSIMD");
        string w = widths.Count > 0 ? string.Join(", ", widths) : "none accelerated";
        return sets.Count > 0 ? $"{w} ({string.Join(", ", sets)})" : w;
    }
}
