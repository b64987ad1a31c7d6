using System.Globalization;
using System.Text.Json.Nodes;

namespace GpuSiamese.Model.Settings;

/// <summary>
/// One training option, defined once (in <see cref="TrainingConfig.Settings"/>): its command-line name, its key in
/// metrics.json and checkpoints, its help text and accepted range; its default is the <see cref="TrainingConfig"/>
/// property's. The command line, the preset, metrics.json, the checkpoint and <see cref="TrainingConfig.Validate"/>
/// are all derived from these definitions.
/// </summary>
public abstract class TrainingSetting
{
    private protected TrainingSetting(string flag, string key, string help, string expected)
    {
        Flag = flag;
        Key = key;
        Help = help;
        Expected = expected;
    }

    /// <summary>The command-line name, e.g. "--lr".</summary>
    public string Flag { get; }

    /// <summary>The key in metrics.json's configuration and in a checkpoint, e.g. "learning_rate".</summary>
    public string Key { get; }

    public string Help { get; }

    /// <summary>What a value must be, as the messages say it: "a number > 0".</summary>
    public string Expected { get; }

    /// <summary>How --help names the value: X, N or the choices.</summary>
    public abstract string HelpName { get; }

    /// <summary>A switch (bool): given on the command line means true, and it takes no value.</summary>
    public abstract bool IsSwitch { get; }

    /// <summary>The value in <paramref name="config"/>, written as the command line reads it.</summary>
    public abstract string Format(TrainingConfig config);

    /// <summary><paramref name="config"/> with this setting read from <paramref name="text"/>; false when the text is not an accepted value.</summary>
    public abstract bool TryApply(TrainingConfig config, string text, out TrainingConfig result);

    /// <summary>Throws an <see cref="ArgumentException"/> "FLAG must be EXPECTED, got VALUE" (ParamName = the flag) when out of range.</summary>
    public abstract void Check(TrainingConfig config);

    /// <summary>The value as metrics.json records it (numbers as numbers, choices as the command line spells them).</summary>
    public abstract JsonNode ToJson(TrainingConfig config);
}

/// <summary>A <see cref="TrainingSetting"/> of type <typeparamref name="T"/>, read and written through the config's property.</summary>
public sealed class TrainingSetting<T> : TrainingSetting where T : notnull
{
    readonly Func<TrainingConfig, T> _get;
    readonly Func<TrainingConfig, T, TrainingConfig> _set;
    readonly Func<T, bool> _accept;
    readonly SettingFormat<T> _format;

    internal TrainingSetting(string flag, string key, string help, string expected, Func<TrainingConfig, T> get,
        Func<TrainingConfig, T, TrainingConfig> set, Func<T, bool> accept, SettingFormat<T> format)
        : base(flag, key, help, expected)
    {
        _get = get;
        _set = set;
        _accept = accept;
        _format = format;
    }

    public override string HelpName => _format.HelpName;

    public override bool IsSwitch => typeof(T) == typeof(bool);

    public T Get(TrainingConfig config) => _get(config);

    public override string Format(TrainingConfig config) => _format.Format(_get(config));

    public override bool TryApply(TrainingConfig config, string text, out TrainingConfig result)
    {
        if (_format.TryParse(text, out T value) && _accept(value))
        {
            result = _set(config, value);
            return true;
        }
        result = config;
        return false;
    }

    public override void Check(TrainingConfig config)
    {
        T value = _get(config);
        if (!_format.IsDefined(value) || !_accept(value))
            throw new ArgumentException($"{Flag} must be {Expected}, got {_format.Format(value)}", Flag);
    }

    public override JsonNode ToJson(TrainingConfig config) => _format.ToJson(_get(config));
}

/// <summary>How values of one type are read, written and recorded.</summary>
public abstract class SettingFormat<T>
{
    public abstract string HelpName { get; }
    public abstract bool TryParse(string text, out T value);
    public abstract string Format(T value);
    public abstract JsonNode ToJson(T value);
    /// <summary>False for an enum value outside the named ones, or a number that is not finite.</summary>
    public virtual bool IsDefined(T value) => true;
}

/// <summary>The value formats of <see cref="TrainingSetting"/>s.</summary>
public static class SettingFormats
{
    public static SettingFormat<double> Number { get; } = new NumberFormat();
    public static SettingFormat<int> WholeNumber { get; } = new WholeNumberFormat();
    public static SettingFormat<bool> Switch { get; } = new SwitchFormat();

    /// <summary>Free text (a name, a path or a list), shown in --help as <paramref name="helpName"/>.</summary>
    public static SettingFormat<string> Text(string helpName) => new TextFormat(helpName);

    /// <summary>One of the given spellings, read in any case.</summary>
    public static SettingFormat<T> Choice<T>(params (string Spelling, T Value)[] choices) where T : struct, Enum => new ChoiceFormat<T>(choices);

    /// <summary>A number the way the options read it back: invariant culture, round-trip, "1e-7" not "1E-07".</summary>
    public static string FormatNumber(double value)
    {
        string s = value.ToString("R", CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        if (e < 0) return s;
        string exponent = s[(e + 1)..];
        string sign = exponent.StartsWith('-') ? "-" : "";
        return s[..e] + "e" + sign + exponent.TrimStart('+', '-').TrimStart('0');
    }

    sealed class NumberFormat : SettingFormat<double>
    {
        public override string HelpName => "X";
        public override bool TryParse(string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        public override string Format(double value) => FormatNumber(value);
        public override JsonNode ToJson(double value) => JsonValue.Create(value);
        public override bool IsDefined(double value) => double.IsFinite(value);
    }

    sealed class WholeNumberFormat : SettingFormat<int>
    {
        public override string HelpName => "N";
        public override bool TryParse(string text, out int value) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
        public override string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
        public override JsonNode ToJson(int value) => JsonValue.Create(value);
    }

    sealed class TextFormat(string helpName) : SettingFormat<string>
    {
        public override string HelpName => helpName;
        public override bool TryParse(string text, out string value)
        {
            value = text;
            return text is not null;
        }
        public override string Format(string value) => value;
        public override JsonNode ToJson(string value) => JsonValue.Create(value);
    }

    sealed class SwitchFormat : SettingFormat<bool>
    {
        public override string HelpName => "";
        public override bool TryParse(string text, out bool value) => bool.TryParse(text, out value);
        public override string Format(bool value) => value ? "true" : "false";
        public override JsonNode ToJson(bool value) => JsonValue.Create(value);
    }

    sealed class ChoiceFormat<T>((string Spelling, T Value)[] choices) : SettingFormat<T> where T : struct, Enum
    {
        public override string HelpName => string.Join('|', choices.Select(c => c.Spelling));
        public override bool TryParse(string text, out T value)
        {
            foreach (var (spelling, v) in choices)
                if (string.Equals(text, spelling, StringComparison.OrdinalIgnoreCase)) { value = v; return true; }
            value = default;
            return false;
        }
        public override string Format(T value)
        {
            foreach (var (spelling, v) in choices)
                if (v.Equals(value)) return spelling;
            return Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        }
        public override JsonNode ToJson(T value) => JsonValue.Create(Format(value));
        public override bool IsDefined(T value) => choices.Any(c => c.Value.Equals(value));
    }
}
