using System.Globalization;
using System.Text;

namespace GpuSiamese.Host.Output;

/// <summary>eval --distances: "distance,label" rows (label 0 = same digit), written to a temporary file then renamed.</summary>
public static class DistanceCsv
{
    public static void Write(string path, ReadOnlySpan<float> distances, ReadOnlySpan<int> labels)
    {
        if (distances.Length != labels.Length)
            throw new ArgumentException($"{distances.Length} distances but {labels.Length} labels");
        var text = new StringBuilder(distances.Length * 16);
        text.Append("distance,label\n");
        for (int i = 0; i < distances.Length; i++)
            text.Append(distances[i].ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(labels[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }
}
