using System.CommandLine;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Output;
using GpuSiamese.Host.Plots;

namespace GpuSiamese.Host.Commands;

/// <summary>plot-loss: the bounded contrastive loss against E_w for same and different pairs, for several Q.</summary>
public static class PlotLossCommand
{
    public static readonly double[] DefaultQs = [1, 2, 5, 10, 20];

    public static Command Create(CommandContext context)
    {
        var qs = OptionFactory.DoubleList("--q", DefaultQs, "Values of Q, one curve pair each", "a comma list of numbers > 0", l => l.Length >= 1 && l.All(q => q > 0));
        var max = OptionFactory.Double("--max-distance", 10, "Right end of the E_w axis", "a number > 0", v => v > 0);
        var output = new Option<string>("--out") { Description = "PNG file to write", HelpName = "FILE", DefaultValueFactory = _ => "loss-vs-distance.png" };
        var width = OptionFactory.Int("--width", 900, 200, "Image width in pixels");
        var height = OptionFactory.Int("--height", 600, 150, "Image height in pixels");
        var command = new Command("plot-loss",
            "Draw the contrastive loss L = (1-Y)(2/Q)E^2 + Y 2Q exp(-2.77E/Q) against E_w for same (Y = 0) and different (Y = 1) pairs, one colour per Q")
        {
            qs, max, output, width, height,
        };
        command.SetAction(parse => Run(new PlotLossOptions(parse.GetValue(qs)!, parse.GetValue(max), parse.GetValue(output)!,
            parse.GetValue(width), parse.GetValue(height)), context));
        return command;
    }

    public static int Run(PlotLossOptions options, CommandContext context)
    {
        if (!options.OutPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--out '{options.OutPath}': expected a file name ending in .png");
        AtomicFile.Write(options.OutPath, temporary =>
            LossCurvePlot.Save(temporary, options.Qs, options.MaxDistance, options.Width, options.Height));
        MetricsReport.Line(context.Console.Out, "written to", options.OutPath);
        return ExitCodes.Ok;
    }
}
