using System.CommandLine;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Output;
using GpuSiamese.Host.Plots;

namespace GpuSiamese.Host.Commands;

/// <summary>eval: score a saved model on a given .npy pair set, or on a fresh balanced set from the test split.</summary>
public static class EvalCommand
{
    public static Command Create(CommandContext context)
    {
        var defaults = new TrainOptions();
        var model = OptionFactory.Path("--model", "Checkpoint to evaluate (model.ckpt of a run folder)", required: true, helpName: "CKPT");
        var pairs = OptionFactory.Path("--pairs", "Pair set .npy, float32 (N,2,14,14,1), (N,2,14,14) or (N,2,196), pixel values in [0, 1] (0..255 is refused: divide by 255); needs --labels");
        var labels = OptionFactory.Path("--labels", "Labels .npy, int64 or int32 (N,), 0 = same digit; needs --pairs");
        var distances = OptionFactory.Path("--distances", "Write 'distance,label' rows to this CSV file", helpName: "CSV");
        var plots = OptionFactory.Path("--plots", "Write roc.png, distances.png and errors.png into this folder", helpName: "DIR");
        var data = OptionFactory.Path("--data", "Folder holding the four MNIST IDX files (when no --pairs is given)", helpName: "DIR");
        var seed = OptionFactory.ULong("--seed", defaults.Seed, "Seed of the balanced test pairs (when no --pairs is given)");
        var positives = TestPairOptions.Positives();
        var negatives = TestPairOptions.Negatives();
        var accelerator = OptionFactory.Choice("--accelerator", defaults.Accelerator, "Device that scores the pairs");
        var ways = RecognitionOptions.Ways();
        var trials = RecognitionOptions.Trials();
        var gallery = RecognitionOptions.GalleryPerDigit();
        var unknown = OptionFactory.Double("--unknown-threshold", double.NaN,
            "Identification: answer \"unknown\" when the nearest gallery image is farther than this (default: the model's threshold)",
            "a number > 0", v => v > 0);
        unknown.DefaultValueFactory = null;

        var command = new Command("eval", "Score a saved model on a pair set: AUC, Youden threshold and accuracy, EER, accuracy at the model's threshold; without --pairs also one-shot N-way accuracy and identification with \"unknown\" on the test split")
        {
            model, pairs, labels, distances, plots, data, seed, positives, negatives, accelerator, ways, trials, gallery, unknown,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(pairs) is null) != (result.GetValue(labels) is null))
                result.AddError("--pairs and --labels go together: give both or neither");
        });
        command.SetAction(parse =>
        {
            var (positivesPerClass, negativesPerPair) = TestPairOptions.Sizes(parse.CommandResult, positives, negatives);
            return Run(new EvalOptions(
                parse.GetValue(model)!, parse.GetValue(pairs), parse.GetValue(labels), parse.GetValue(distances),
                parse.GetValue(data), parse.GetValue(seed), positivesPerClass, negativesPerPair,
                parse.GetValue(accelerator), parse.GetValue(ways), parse.GetValue(trials), parse.GetValue(gallery),
                parse.GetResult(unknown) is { Implicit: false } ? parse.GetValue(unknown) : null), parse.GetValue(plots), context);
        });
        return command;
    }

    public static int Run(EvalOptions options, string? plotsDir, CommandContext context)
    {
        CommandContext.RequireFile(options.ModelPath, "--model");
        if (options.PairsPath is not null) CommandContext.RequireFile(options.PairsPath, "--pairs");
        if (options.LabelsPath is not null) CommandContext.RequireFile(options.LabelsPath, "--labels");
        if (plotsDir is not null && File.Exists(plotsDir))
            throw new ArgumentException($"--plots '{plotsDir}' is a file; expected a folder");

        var output = context.Console.Out;
        var outcome = context.RequireJobs("eval").Evaluate(options, output.WriteLine, context.Cancel);
        if (options.DistancesCsv is not null)
            DistanceCsv.Write(options.DistancesCsv, outcome.Scores.Distances, outcome.Scores.Labels);
        if (plotsDir is not null)
        {
            Directory.CreateDirectory(plotsDir);
            RunPlots.WriteEvaluation(plotsDir, outcome.Scores, outcome.Metrics, outcome.Roc, outcome.Classes?.Noun ?? "digit",
                outcome.Classes?.Input);
            if (outcome.Classes is { } classes) RunPlots.WriteEmbeddings(plotsDir, classes);
        }
        MetricsReport.WriteTest(output, outcome.Accelerator, outcome.Metrics, outcome.Classes?.Noun ?? "digit");
        MetricsReport.WriteRecognition(output, outcome.Recognition, outcome.Classes?.Noun ?? "digit");
        MetricsReport.WriteClasses(output, outcome.Classes);
        if (options.DistancesCsv is not null) MetricsReport.Line(output, "distances", options.DistancesCsv);
        if (plotsDir is not null) MetricsReport.Line(output, "plots", plotsDir);
        return ExitCodes.Ok;
    }
}
