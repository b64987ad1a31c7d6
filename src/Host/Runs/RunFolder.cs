using System.Globalization;

namespace GpuSiamese.Host.Runs;

/// <summary>
/// A run's folder <c>runs/&lt;yyyyMMdd-HHmmss&gt;-s&lt;seed&gt;/</c> and the names of the files in it. When the name is
/// taken (two runs in one second), "-2", "-3", … is appended.
/// </summary>
public sealed class RunFolder
{
    public string Path { get; }
    public string Checkpoint => System.IO.Path.Combine(Path, "model.ckpt");
    public string Metrics => System.IO.Path.Combine(Path, "metrics.json");
    public string RocPlot => System.IO.Path.Combine(Path, "roc.png");
    public string TrainingPlot => System.IO.Path.Combine(Path, "training.png");
    public string DistancePlot => System.IO.Path.Combine(Path, "distances.png");
    public string ErrorPlot => System.IO.Path.Combine(Path, "errors.png");

    // Set when Create made the runs folder itself, so a failed first run leaves no empty runs/ behind either.
    readonly string? _createdRoot;

    RunFolder(string path, string? createdRoot) => (Path, _createdRoot) = (path, createdRoot);

    public static string BaseName(DateTime localTime, ulong seed) =>
        $"{localTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-s{seed.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Creates the folder under <paramref name="runsRoot"/> (made if missing).</summary>
    public static RunFolder Create(string runsRoot, DateTime localTime, ulong seed)
    {
        string? createdRoot = Directory.Exists(runsRoot) ? null : runsRoot;
        Directory.CreateDirectory(runsRoot);
        string name = BaseName(localTime, seed);
        for (int n = 1; ; n++)
        {
            string candidate = System.IO.Path.Combine(runsRoot, n == 1 ? name : $"{name}-{n}");
            if (Directory.Exists(candidate) || File.Exists(candidate)) continue;
            Directory.CreateDirectory(candidate);
            return new RunFolder(candidate, createdRoot);
        }
    }

    /// <summary>
    /// Removes the folder if nothing was written into it (a run that failed before its first file), and the runs
    /// folder too when this run created it and it is empty now.
    /// </summary>
    public void RemoveIfEmpty()
    {
        if (Directory.Exists(Path) && !Directory.EnumerateFileSystemEntries(Path).Any())
            Directory.Delete(Path);
        if (_createdRoot is not null && Directory.Exists(_createdRoot) && !Directory.EnumerateFileSystemEntries(_createdRoot).Any())
            Directory.Delete(_createdRoot);
    }
}
