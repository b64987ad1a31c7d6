using System.CommandLine;
using GpuSiamese.Data;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Output;

namespace GpuSiamese.Host.Commands;

/// <summary>compare: the distance between two image files under a model, the model's threshold and the verdict.</summary>
public static class CompareCommand
{
    public static Command Create(CommandContext context)
    {
        var model = OptionFactory.Path("--model", "Checkpoint to use (model.ckpt of a run folder)", required: true, helpName: "CKPT");
        var first = new Argument<string>("image-a") { Description = "First image (PNG, JPEG, BMP, GIF, WebP; any size or colour)" };
        var second = new Argument<string>("image-b") { Description = "Second image" };
        var invert = new InvertOptions();
        var save = OptionFactory.Path("--save-preprocessed", "Write the two 14x14 images the network saw (enlarged 20 times) into this folder", helpName: "DIR");
        var accelerator = OptionFactory.Choice("--accelerator", new TrainOptions().Accelerator, "Device that runs the network");

        var command = new Command("compare",
            "Compare two digit images: each is made grey, inverted if dark-on-light, cropped to its ink, fitted in 20x20, " +
            "centred by mass in 28x28 and pooled to 14x14 as MNIST was; prints the distance, the model's threshold and the verdict")
        {
            model, first, second, save, accelerator,
        };
        invert.AddTo(command);
        command.SetAction(parse => Run(new CompareOptions(parse.GetValue(model)!, parse.GetValue(first)!,
            parse.GetValue(second)!, invert.Read(parse), parse.GetValue(save), parse.GetValue(accelerator)), context));
        return command;
    }

    public static int Run(CompareOptions options, CommandContext context)
    {
        CommandContext.RequireFile(options.ModelPath, "--model");
        CommandContext.RequireFile(options.ImageA, "image-a");
        CommandContext.RequireFile(options.ImageB, "image-b");
        if (options.SavePreprocessedDir is not null && File.Exists(options.SavePreprocessedDir))
            throw new ArgumentException($"--save-preprocessed '{options.SavePreprocessedDir}' is a file; expected a folder");

        var outcome = context.RequireJobs("compare").Compare(options);
        foreach (string warning in outcome.Warnings ?? []) context.Console.Error.WriteLine($"warning: {warning}");
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var output = context.Console.Out;
        bool same = GpuSiamese.Model.Verdict.Same(outcome.Distance, outcome.Threshold);
        MetricsReport.Line(output, "distance", outcome.Distance.ToString("F4", c));
        MetricsReport.Line(output, "threshold", outcome.ThresholdRule.Length == 0 ? outcome.Threshold.ToString("F4", c) : $"{outcome.Threshold.ToString("F4", c)} ({outcome.ThresholdRule})");
        MetricsReport.Line(output, "verdict", same ? $"same {outcome.Noun}" : outcome.Noun == "class" ? "different classes" : "different digits");

        if (options.SavePreprocessedDir is not null && outcome.InputA.Length != GpuSiamese.Data.ImageSet.Size)
            MetricsReport.Line(output, "preprocessed", "not saved: the model's inputs are not 14x14 digits");
        else if (options.SavePreprocessedDir is { } dir)
        {
            Directory.CreateDirectory(dir);
            // Numbered so that two files of one name from different folders do not overwrite each other.
            string a = Path.Combine(dir, $"1-{Path.GetFileNameWithoutExtension(options.ImageA)}-14x14.png");
            string b = Path.Combine(dir, $"2-{Path.GetFileNameWithoutExtension(options.ImageB)}-14x14.png");
            DigitImage.SavePreprocessed(a, outcome.InputA);
            DigitImage.SavePreprocessed(b, outcome.InputB);
            MetricsReport.Line(output, "preprocessed", $"{a}, {b}");
        }
        return ExitCodes.Ok;
    }
}
