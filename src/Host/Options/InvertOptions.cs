using System.CommandLine;
using System.CommandLine.Parsing;
using GpuSiamese.Data;

namespace GpuSiamese.Host.Options;

/// <summary>The --invert / --no-invert pair shared by compare and embed; neither means "detect".</summary>
public sealed class InvertOptions
{
    readonly Option<bool> _invert = OptionFactory.Flag("--invert", "Always invert the image (dark digit on light paper); default: detected from the border");
    readonly Option<bool> _noInvert = OptionFactory.Flag("--no-invert", "Never invert (already a light digit on dark); default: detected from the border");

    public void AddTo(Command command)
    {
        command.Options.Add(_invert);
        command.Options.Add(_noInvert);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_invert) && result.GetValue(_noInvert))
                result.AddError("--invert and --no-invert contradict each other: give one or neither");
        });
    }

    public InvertMode Read(ParseResult parse) =>
        parse.GetValue(_invert) ? InvertMode.Invert : parse.GetValue(_noInvert) ? InvertMode.NoInvert : InvertMode.Auto;
}
