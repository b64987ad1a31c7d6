using System.Globalization;
using System.Text;
using GpuSiamese.Data;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Host.Output;

/// <summary>
/// embed's output: .npy holds the float32 matrix (rows, width); .csv one row per image, "label" (a split: the class
/// index, then "class", its name, for datasets whose names are not their indices, e.g. a folder's) or "file" (image
/// files) first, then e0..e{width-1}.
/// </summary>
public static class EmbeddingFile
{
    public static bool IsSupported(string path) =>
        path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    public static void Write(string path, EmbeddingOutcome e)
    {
        if (e.Values.Length != (long)e.Rows * e.Width)
            throw new ArgumentException($"embeddings: {e.Values.Length} values do not make {e.Rows} rows of {e.Width}");
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            AtomicFile.Write(path, temporary => Npy.WriteFloat32(temporary, e.Values, e.Rows, e.Width));
        else if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            AtomicFile.WriteAllText(path, Csv(e));
        else
            throw new ArgumentException($"--out '{path}': expected a file name ending in .npy or .csv");
    }

    static string Csv(EmbeddingOutcome e)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var header = new List<string>();
        if (e.Labels is not null) header.Add("label");
        var names = e.ClassNames is { } n && !n.Select((name, i) => name == i.ToString(c)).All(same => same) ? n : null;
        if (names is not null) header.Add("class");
        if (e.Sources is not null) header.Add("file");
        header.AddRange(Enumerable.Range(0, e.Width).Select(k => $"e{k}"));
        text.Append(string.Join(',', header)).Append('\n');
        for (int r = 0; r < e.Rows; r++)
        {
            if (e.Labels is not null) text.Append(e.Labels[r].ToString(c)).Append(',');
            if (names is not null) text.Append(Quote(names[e.Labels![r]])).Append(',');
            if (e.Sources is not null) text.Append(Quote(e.Sources[r])).Append(',');
            for (int k = 0; k < e.Width; k++)
            {
                if (k > 0) text.Append(',');
                text.Append(e.Values[r * e.Width + k].ToString("R", c));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>RFC 4180 quoting for file names holding commas, quotes or line breaks.</summary>
    static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
