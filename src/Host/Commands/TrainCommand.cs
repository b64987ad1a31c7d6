using System.CommandLine;
using System.Diagnostics;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Output;
using GpuSiamese.Host.Plots;
using GpuSiamese.Host.Progress;
using GpuSiamese.Host.Runs;

namespace GpuSiamese.Host.Commands;

/// <summary>
/// train (also the root command's behaviour): train, evaluate on a fresh balanced test set, write the run folder
/// (model.ckpt by the engine; metrics.json and the plots here) and print the figures.
/// </summary>
public static class TrainCommand
{
    public const string Summary =
        "Train the Siamese network (on MNIST unless --dataset says otherwise), evaluate it on a fresh balanced test set (MNIST: 800 " +
        "same-digit pairs per digit, 200 different-digit pairs per digit pair; other data: scaled) and write runs/<time>-s<seed>/ " +
        "with model.ckpt, metrics.json and plots";

    public static Command Create(CommandContext context) => Configure(new Command("train", Summary), context);

    /// <summary>Adds the training options and action to <paramref name="command"/> (the root command gets them too).</summary>
    public static Command Configure(Command command, CommandContext context)
    {
        var set = new TrainOptionSet();
        set.AddTo(command);
        command.SetAction(parse => Run(set.Read(parse), context));
        return command;
    }

    public static int Run(TrainOptions options, CommandContext context)
    {
        if (options.Resume is not null) CommandContext.RequireFile(options.Resume, "--resume");
        var jobs = context.RequireJobs("train");
        var output = context.Console.Out;
        var clock = Stopwatch.StartNew();
        DateTime createdUtc = DateTime.UtcNow;
        var folder = RunFolder.Create(options.RunsDir, context.Clock(), options.Seed);
        if (!options.Quiet) output.WriteLine($"run folder {folder.Path}");

        TrainingOutcome outcome;
        try
        {
            outcome = ProgressDisplay.For(context.Console, options.Quiet)
                .Run((progress, log) => jobs.Train(options, folder.Checkpoint, log, progress, context.Cancel));
        }
        catch
        {
            folder.RemoveIfEmpty();
            throw;
        }

        long peak;
        double total;
        try
        {
            RunPlots.WriteTraining(folder.Path, outcome.History);
            string noun = outcome.Classes?.Noun ?? "digit";
            RunPlots.WriteEvaluation(folder.Path, outcome.Test, outcome.Metrics, outcome.Roc, noun, 
                outcome.Classes?.Input);
            if (outcome.Classes is { } classes) RunPlots.WriteEmbeddings(folder.Path, classes);
            peak = PeakMemory.Bytes();
            total = clock.Elapsed.TotalSeconds;
            MetricsFile.Write(folder.Metrics,
                MetricsFile.Build(options, outcome, createdUtc, total, peak, Path.GetFileName(folder.Checkpoint)));
        }
        catch (GpuSiamese.Data.WriteFailedException e)
        {
            throw e.WithKept(File.Exists(folder.Checkpoint)
                ? $"the trained model is kept in {folder.Checkpoint} (score it with eval --model)"
                : "the run folder no longer holds the trained model");
        }

        MetricsReport.WriteTest(output, outcome.Accelerator, outcome.Metrics, outcome.Classes?.Noun ?? "digit");
        MetricsReport.WriteRecognition(output, outcome.Recognition, outcome.Classes?.Noun ?? "digit");
        MetricsReport.WriteClasses(output, outcome.Classes);
        MetricsReport.WriteRun(output, outcome.Timings, total, peak, folder.Path);
        return ExitCodes.Ok;
    }
}
