namespace GpuSiamese.Data;

/// <summary>
/// The four MNIST IDX files and the spellings accepted for each in a folder: the canonical
/// <c>train-images-idx3-ubyte</c>, the dotted <c>train-images.idx3-ubyte</c>, and either with <c>.gz</c>.
/// </summary>
public static class MnistFiles
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    public static IReadOnlyList<string> Names { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>The four names as a user reads them in an error message.</summary>
    public static string NamesForMessage => string.Join(", ", Names) + " (each may also be .gz)";

    /// <summary>The path of <paramref name="canonicalName"/> in <paramref name="folder"/> under any accepted spelling, or null.</summary>
    public static string? Find(string folder, string canonicalName)
    {
        int dash = canonicalName.LastIndexOf("-idx", StringComparison.Ordinal);
        string dotted = canonicalName[..dash] + "." + canonicalName[(dash + 1)..];
        foreach (string name in new[] { canonicalName, dotted, canonicalName + ".gz", dotted + ".gz" })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path))
                return path;
        }
        return null;
    }

    /// <summary>The four paths in the order of <see cref="Names"/> when the folder holds all four, else null.</summary>
    public static string[]? FindAll(string folder)
    {
        if (!Directory.Exists(folder))
            return null;
        var paths = new string[Names.Count];
        for (int i = 0; i < paths.Length; i++)
        {
            string? p = Find(folder, Names[i]);
            if (p is null)
                return null;
            paths[i] = p;
        }
        return paths;
    }

    /// <summary>The canonical names the folder lacks.</summary>
    public static IEnumerable<string> Missing(string folder) =>
        Names.Where(n => !Directory.Exists(folder) || Find(folder, n) is null);
}
