using System.CommandLine;
using GpuSiamese.Model;

namespace GpuSiamese.Host.Options;

/// <summary>
/// <c>--preset NAME</c>: a named configuration from <see cref="TrainingPresets"/> that replaces the exercise's defaults;
/// options given explicitly on the command line still win over it.
/// </summary>
public static class PresetOptions
{
    public static Option<string> Create()
    {
        string names = string.Join('|', TrainingPresets.All.Select(p => p.Name));
        var option = new Option<string>("--preset")
        {
            Description = "Start from a named configuration instead of the exercise's (options given explicitly still override it): "
                + string.Join("; ", TrainingPresets.All.Select(p => $"{p.Name} = {p.Summary}")),
            HelpName = names,
        };
        option.CustomParser = result =>
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            var preset = TrainingPresets.All.FirstOrDefault(p => string.Equals(p.Name, token, StringComparison.OrdinalIgnoreCase));
            if (preset is not null) return preset.Name;
            result.AddError($"--preset expects one of {names}, got '{token}'");
            return null;
        };
        return option;
    }
}
