using System.Text;

namespace GpuSiamese.Perf;

/// <summary>The profile of one backend as markdown, which also reads as a plain-text table on a console.</summary>
public sealed class Report
{
    readonly StringBuilder text = new();

    public void Heading(string title) => text.AppendLine().AppendLine($"## {title}").AppendLine();

    public void Line(string line) => text.AppendLine(line);

    /// <summary>A table with columns padded to equal widths, so it lines up in a terminal too.</summary>
    public void Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        string Row(string[] r) => "| " + string.Join(" | ", r.Select((v, c) => c == 0 ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))) + " |";
        text.AppendLine(Row(header));
        text.AppendLine("|" + string.Join("|", widths.Select((w, c) => c == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
        foreach (var r in all.Skip(1)) text.AppendLine(Row(r));
        text.AppendLine();
    }

    public override string ToString() => text.ToString();

    public static string Us(double us) => us >= 1000 ? $"{us:F0}" : us >= 10 ? $"{us:F1}" : $"{us:F2}";
    public static string Rate(double value) => value >= 100 ? $"{value:F0}" : $"{value:F1}";
}
