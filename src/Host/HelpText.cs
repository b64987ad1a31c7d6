using System.Text.RegularExpressions;

namespace GpuSiamese.Host;

/// <summary>
/// System.CommandLine prints defaults with ToString ("[default: Adam]", "[default: 196|200|10]", "[default: 1E-07]");
/// this rewrites them into what the options accept ("adam", "196,200,10", "1e-7"), so the help tells the truth.
/// </summary>
public static partial class HelpText
{
    public static string SpellDefaults(string help) =>
        DefaultPattern().Replace(help, m => $"[default: {Spell(m.Groups[1].Value)}]");

    static string Spell(string value)
    {
        string s = value.Replace('|', ',');
        s = ExponentPattern().Replace(s, m => $"e{m.Groups[1].Value}{m.Groups[2].Value}");
        // Enum names are the only capitals in our defaults; the options read them in lower case.
        return s.ToLowerInvariant();
    }

    [GeneratedRegex(@"\[default: ([^\]]*)\]")]
    private static partial Regex DefaultPattern();

    [GeneratedRegex(@"E([+-]?)0*(\d+)")]
    private static partial Regex ExponentPattern();
}
