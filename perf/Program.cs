using System.Diagnostics;
using System.Runtime.InteropServices;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>
/// gpusiamese-perf: the throughput profile of each backend found — every operation, the numbered kernel
/// versions, a training step, scoring — printed and written to perf/results/&lt;date&gt;-&lt;backend&gt;.md.
/// </summary>
public static class Program
{
    /// <summary>The parts of a profile, in order.</summary>
    public static readonly IProfileSection[] Sections =
        [new OperationProfile(), new DenseForwardVersions(), new ProductVersions(), new ConvProfile(), new ResidualProfile(), new ResidualStepJob(), new LayerStepProfile(), new IlgpuDenseVersions(), new WorkerPoolProfile(), new TrainingStepProfile(), new ScoringProfile(), new RetrievalVersions(),
         new TrainingJobProfile()];

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "gallery-index")
        {
            try { return GalleryIndexBench.Run(args[1..], Console.Out); }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"gpusiamese-perf: {e.Message}");
                return 2;
            }
        }
        if (args.Length > 0 && args[0] == "serve-load")
        {
            try { return ServeLoad.Run(args[1..], DefaultOutput()); }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"gpusiamese-perf: {e.Message}");
                return 2;
            }
        }
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(ProfilerOptions.Usage);
            return 0;
        }
        ProfilerOptions options;
        try
        {
            options = ProfilerOptions.Parse(args, DefaultOutput());
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"gpusiamese-perf: {e.Message}");
            Console.Error.WriteLine(ProfilerOptions.Usage);
            return 2;
        }

        if (options.Job) return TrainingJob.RunChild(options);
        if (options.SweepWidth is { } width) return WidthSweepJob.Run(options, width);
        var entries = BackendCatalog.Discover(options).Where(e => options.Accelerator == "all" || e.Accelerator == options.Accelerator).ToList();
        if (entries.Count == 0)
        {
            Console.Error.WriteLine($"gpusiamese-perf: no '{options.Accelerator}' backend in this build or on this machine " +
                $"(backends are listed in perf/BackendCatalog.cs; found here: {string.Join(", ", BackendCatalog.Discover(options).Select(e => e.Key))})");
            return 1;
        }
        foreach (var entry in entries) Profile(entry, options);
        return 0;
    }

    static void Profile(BackendEntry entry, ProfilerOptions options)
    {
        var created = Stopwatch.StartNew();
        using IBackend backend = entry.Create();
        double createMs = created.Elapsed.TotalMilliseconds;
        string kernels = backend is IlgpuBackend ilgpu ? $" (kernel compile/load {ilgpu.KernelLoadTime.TotalMilliseconds:F0} ms of it)" : "";
        // Each section sees the accelerator it profiles (the training job's child process is started for it).
        options = options with { Accelerator = entry.Accelerator };
        var report = new Report();
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd");
        report.Line($"# Throughput of {backend.Name}");
        report.Line("");
        report.Line($"{date}, {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, " +
            $".NET {Environment.Version}{(options.Quick ? ", --quick" : "")}{LoadAverage()}. Created in {createMs:F1} ms{kernels}; medians, warm-up excluded.");
        foreach (var section in Sections.Where(x => options.Sections == null || options.Sections.Contains(x.GetType().Name)))
        {
            section.Run(backend, options, report);
            Console.Out.Flush();
        }
        report.Line("");
        report.Line($"Load average (1, 5, 15 min) at the end: {LoadAverages()}; the machine is shared, so compare ratios taken in one run.");
        report.Line($"Peak RSS of the profiler process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB (it holds a 54,000x196 and a 10,000x196 table; " +
            "every backend profiled so far in this process counts; the job's own figure is above).");
        string text = report.ToString();
        Console.WriteLine(text);
        Directory.CreateDirectory(options.OutputDirectory);
        string path = Path.Combine(options.OutputDirectory, $"{date}-{entry.Key}.md");
        File.WriteAllText(path, text);
        Console.WriteLine($"written: {path}");
    }

    /// <summary>perf/results of the source tree the binary was built from, else ./perf-results.</summary>
    static string DefaultOutput()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Perf.csproj"))) return Path.Combine(dir.FullName, "results");
        return Path.Combine(Environment.CurrentDirectory, "perf-results");
    }

    /// <summary>", load average 1.2" on Linux: other processes' demand for the cores while this ran.</summary>
    static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? $", load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the start" : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    static string LoadAverages()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"));
            if (line != null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
