namespace GpuSiamese.Perf;

/// <summary>The profiler's command line.</summary>
/// <param name="Job">Set in the child process that runs one backend's training job (--job KIND, internal).</param>
/// <param name="SweepWidth">Set by --sweep-width W: run one epoch of 196-W-W/2-64 (<see cref="WidthSweepJob"/>) instead of a profile.</param>
public sealed record ProfilerOptions(string Accelerator, int? Threads, int MaxVectorBits, bool Quick, string OutputDirectory, bool Job = false,
    IReadOnlyList<string>? Sections = null, int? SweepWidth = null)
{
    public const string Usage =
        "usage: gpusiamese-perf [--accelerator simd|cpu|opencl|cuda|all] [--threads N] [--vector-bits 512|256|128] [--quick] [--sections NAME,...] [--out DIR]\n" +
        "       gpusiamese-perf --sweep-width W [--accelerator simd|opencl] [--threads N]   (one epoch of 196-W-W/2-64; see perf/width_sweep.py)";

    /// <summary>Parses the arguments; a bad one is an <see cref="ArgumentException"/> naming the option.</summary>
    public static ProfilerOptions Parse(string[] args, string defaultOutput)
    {
        string accelerator = "all", output = defaultOutput;
        int? threads = null, sweep = null;
        int bits = 512;
        bool quick = false, job = false;
        string[]? sections = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--accelerator":
                    accelerator = Value();
                    if (accelerator != "all" && !BackendCatalog.Accelerators.Contains(accelerator))
                        throw new ArgumentException($"--accelerator: '{accelerator}' is not one of all, {string.Join(", ", BackendCatalog.Accelerators)}");
                    break;
                case "--threads":
                    string t = Value();
                    threads = int.TryParse(t, out int n) && n >= 1 && n <= 256 ? n : throw new ArgumentException($"--threads: '{t}' is not a count from 1 to 256");
                    break;
                case "--vector-bits":
                    string b = Value();
                    bits = b is "512" or "256" or "128" ? int.Parse(b) : throw new ArgumentException($"--vector-bits: '{b}' is not 512, 256 or 128");
                    break;
                case "--quick": quick = true; break;
                case "--sections":
                    sections = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    foreach (var name in sections)
                        if (!Program.Sections.Any(x => x.GetType().Name == name))
                            throw new ArgumentException($"--sections: '{name}' is not one of {string.Join(", ", Program.Sections.Select(x => x.GetType().Name))}");
                    break;
                case "--job":
                    accelerator = Value();
                    job = BackendCatalog.Accelerators.Contains(accelerator) ? true : throw new ArgumentException($"--job: '{accelerator}' is not one of {string.Join(", ", BackendCatalog.Accelerators)}");
                    break;
                case "--out": output = Value(); break;
                case "--sweep-width":
                    string sw = Value();
                    sweep = int.TryParse(sw, out int width) && width >= 2 ? width : throw new ArgumentException($"--sweep-width: '{sw}' is not a width of at least 2");
                    break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (sweep != null && accelerator == "all") accelerator = "simd";
        return new ProfilerOptions(accelerator, threads, bits, quick, output, job, sections, sweep);
    }
}
