using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using GpuSiamese.Model;
using GpuSiamese.Model.Settings;

namespace GpuSiamese.Host.Options;

/// <summary>
/// Builds options whose parse errors name the option and what it expects ("--batch expects a whole number ≥ 1,
/// got '0'"), so every bad value becomes one readable line.
/// </summary>
public static class OptionFactory
{
    public static Option<int> Int(string name, int defaultValue, int min, string description) =>
        Parsed(name, defaultValue, description, "N", $"a whole number ≥ {min}",
            s => (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min, v));

    public static Option<ulong> ULong(string name, ulong defaultValue, string description) =>
        Parsed(name, defaultValue, description, "N", "a whole number ≥ 0",
            s => (ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v), v));

    /// <summary>A finite number accepted by <paramref name="accept"/>, described to the user as <paramref name="expected"/>.</summary>
    public static Option<double> Double(string name, double defaultValue, string description, string expected, Func<double, bool> accept) =>
        Parsed(name, defaultValue, description, "X", expected,
            s => (TryDouble(s, out var v) && accept(v), v));

    /// <summary>A comma-separated list of whole numbers, accepted or refused as a whole by <paramref name="accept"/>.</summary>
    public static Option<int[]> IntList(string name, int[] defaultValue, string description, string expected, Func<int[], bool> accept) =>
        Parsed(name, defaultValue, description, "N,N,...", expected, s =>
        {
            var parts = s.Split(',', StringSplitOptions.TrimEntries);
            var values = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i])) return (false, values);
            return (accept(values), values);
        });

    public static Option<double[]> DoubleList(string name, double[] defaultValue, string description, string expected, Func<double[], bool> accept) =>
        Parsed(name, defaultValue, description, "X,X,...", expected, s =>
        {
            var parts = s.Split(',', StringSplitOptions.TrimEntries);
            var values = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!TryDouble(parts[i], out values[i])) return (false, values);
            return (accept(values), values);
        });

    /// <summary>One of an enum's values, spelled in lower case on the command line.</summary>
    public static Option<T> Choice<T>(string name, T defaultValue, string description) where T : struct, Enum
    {
        string[] names = Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
        string list = string.Join('|', names);
        return Parsed(name, defaultValue, description, list, $"one of {list}",
            s => (names.Contains(s.ToLowerInvariant()) && Enum.TryParse<T>(s, ignoreCase: true, out var v), Enum.TryParse<T>(s, true, out var w) ? w : defaultValue));
    }

    /// <summary>
    /// The option of a training setting: a flag for a switch, else a value checked against the setting's range (the
    /// text is applied to the configuration by the reader); its default shown as the setting writes it.
    /// </summary>
    public static Option Setting(TrainingSetting setting)
    {
        if (setting.IsSwitch) return Flag(setting.Flag, setting.Help);
        string shown = setting.Format(new TrainingConfig());
        return Parsed(setting.Flag, shown, setting.Help, setting.HelpName, setting.Expected,
            s => (setting.TryApply(new TrainingConfig(), s, out _), s));
    }

    public static Option<string> Path(string name, string description, bool required = false, string helpName = "PATH") =>
        new(name) { Description = description, Required = required, HelpName = helpName };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>
    /// The option's value in a command validator, or false when the option itself failed to parse (its own error is
    /// then the one reported, and asking System.CommandLine for the value would throw).
    /// </summary>
    public static bool TryGet<T>(CommandResult result, Option<T> option, out T value)
    {
        // The conversion error sits on the option's internal argument result, out of reach; GetValue throws on it.
        try
        {
            value = result.GetValue(option)!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    static bool TryDouble(string s, out double v) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v);

    /// <summary>A text value that <paramref name="problem"/> checks: null when it is fine, else the one-line message to report.</summary>
    public static Option<string> Checked(string name, string defaultValue, string description, string helpName, Func<string, string?> problem)
    {
        var option = new Option<string>(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result =>
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            string? message = problem(token);
            if (message == null) return token;
            result.AddError(message);
            return defaultValue;
        };
        return option;
    }

    static Option<T> Parsed<T>(string name, T defaultValue, string description, string helpName, string expected,
        Func<string, (bool Ok, T Value)> parse) where T : notnull
    {
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = helpName,
            DefaultValueFactory = _ => defaultValue,
        };
        option.CustomParser = result =>
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            var (ok, value) = parse(token);
            if (ok) return value;
            result.AddError($"{name} expects {expected}, got '{token}'");
            return defaultValue;
        };
        return option;
    }
}
