using System.CommandLine;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;
using GpuSiamese.Model.Runs;
using GpuSiamese.Model.Settings;
using GpuSiamese.Host.Output;

namespace GpuSiamese.Host.Commands;

/// <summary>embed: the embeddings G(x) of an MNIST split or of image files, to .npy or CSV.</summary>
public static class EmbedCommand
{
    public static Command Create(CommandContext context)
    {
        var defaults = new TrainOptions();
        var model = OptionFactory.Path("--model", "Checkpoint to use (model.ckpt of a run folder)", required: true, helpName: "CKPT");
        var split = new Option<DataSplit?>("--split")
        {
            Description = "MNIST split to embed: train, validation (the hold-out of --validation and --seed) or test",
            HelpName = "train|validation|test",
            CustomParser = result =>
            {
                string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (Enum.TryParse<DataSplit>(token, ignoreCase: true, out var v) && !int.TryParse(token, out _)) return v;
                result.AddError($"--split expects one of train|validation|test, got '{token}'");
                return null;
            },
        };
        var images = new Argument<string[]>("images") { Description = "Image files to embed instead of a split", Arity = ArgumentArity.ZeroOrMore };
        var output = OptionFactory.Path("--out", "Output file: .npy (float32, rows x width) or .csv (label or file, then e0, e1, …)", required: true, helpName: "FILE");
        var data = OptionFactory.Path("--data", "Folder holding the four MNIST IDX files", helpName: "DIR");
        var seed = OptionFactory.ULong("--seed", defaults.Seed, "Seed of the validation hold-out");
        // The hold-out is train's: the same option definition (flag, default, range, help) as train's --validation.
        var validationSetting = TrainingConfig.Settings.Single(setting => setting.Key == "validation");
        var validation = (Option<string>)OptionFactory.Setting(validationSetting);
        var invert = new InvertOptions();
        var accelerator = OptionFactory.Choice("--accelerator", defaults.Accelerator, "Device that runs the network");

        var command = new Command("embed", "Write the embeddings of an MNIST split or of image files to .npy or CSV")
        {
            model, split, images, output, data, seed, validation, accelerator,
        };
        invert.AddTo(command);
        command.Validators.Add(result =>
        {
            if (!OptionFactory.TryGet(result, split, out var chosen)) return;
            bool hasSplit = chosen is not null;
            bool hasImages = result.GetValue(images) is { Length: > 0 };
            if (hasSplit == hasImages)
                result.AddError("embed needs either --split or image files, not both and not neither");
            if (result.GetValue(output) is { } o && !EmbeddingFile.IsSupported(o))
                result.AddError($"--out '{o}': expected a file name ending in .npy or .csv");
        });
        command.SetAction(parse => Run(new EmbedOptions(parse.GetValue(model)!, parse.GetValue(split),
            parse.GetValue(images) ?? [], parse.GetValue(output)!, parse.GetValue(data), parse.GetValue(seed),
            ValidationFraction(validationSetting, parse.GetValue(validation)!), invert.Read(parse), parse.GetValue(accelerator)), context));
        return command;
    }

    /// <summary>The hold-out fraction as train reads it (the parser has already accepted the text).</summary>
    static double ValidationFraction(TrainingSetting setting, string text) =>
        setting.TryApply(new TrainingConfig(), text, out var config) ? config.ValidationFraction
        : throw new InvalidOperationException($"--validation '{text}' was read after it failed to parse");

    public static int Run(EmbedOptions options, CommandContext context)
    {
        CommandContext.RequireFile(options.ModelPath, "--model");
        foreach (string image in options.Images) CommandContext.RequireFile(image, "image");
        var console = context.Console.Out;
        var outcome = context.RequireJobs("embed").Embed(options, console.WriteLine, context.Cancel);
        foreach (string warning in outcome.Warnings ?? []) context.Console.Error.WriteLine($"warning: {warning}");
        EmbeddingFile.Write(options.OutPath, outcome);
        MetricsReport.Line(console, "embeddings", $"{outcome.Rows} x {outcome.Width}");
        MetricsReport.Line(console, "written to", options.OutPath);
        return ExitCodes.Ok;
    }
}
