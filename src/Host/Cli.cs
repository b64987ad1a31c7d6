using System.CommandLine;
using System.CommandLine.Help;
using GpuSiamese.Host.Commands;
using GpuSiamese.Host.Jobs;

namespace GpuSiamese.Host;

/// <summary>
/// The command line: the root command trains (the exercise's main job), the subcommands train, eval, compare, embed,
/// export, serve, plot-loss and devices. <see cref="Run"/> is what Program.Main calls and what tests call in-process.
/// </summary>
public static class Cli
{
    public const string Name = "gpusiamese";

    /// <summary>Printed on stderr the moment the first Ctrl+C is seen (the work stops at its next safe point).</summary>
    public const string InterruptSeen = "interrupt: stopping after the current step (Ctrl+C again ends at once)";

    public static int Run(string[] args, HostConsole console, IModelJobs? jobs, CancellationToken cancel,
        Func<DateTime>? clock = null)
    {
        var context = new CommandContext(console, jobs, cancel, clock ?? (() => DateTime.Now));
        var root = CreateRoot(context);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            string command = CommandPath(parse);
            // One line, usage included: scripts and people read the first line of stderr.
            console.Error.WriteLine($"error: {parse.Errors[0].Message} (usage: {command} [options]; see '{command} --help')");
            return ExitCodes.UsageError;
        }
        if (parse.Action is HelpAction)
        {
            // Help is rendered to a buffer so its defaults can be spelled as the options accept them.
            var help = new StringWriter();
            int code = parse.Invoke(new InvocationConfiguration { Output = help, Error = console.Error });
            console.Out.Write(HelpText.SpellDefaults(help.ToString()));
            return code;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                // Ctrl+C is ours (Program wires it to the token): the trainer finishes its step and we exit 130.
                ProcessTerminationTimeout = null,
            });
        }
        catch (OperationCanceledException)
        {
            console.Error.WriteLine("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (GpuSiamese.Data.WriteFailedException e)
        {
            console.Error.WriteLine($"error: {UserErrors.OneLine(e)}");
            return ExitCodes.EnvironmentFault;
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            console.Error.WriteLine($"error: {UserErrors.OneLine(e)}");
            return ExitCodes.UsageError;
        }
        catch (GpuSiamese.Model.TrainingDivergedException e)
        {
            console.Error.WriteLine($"error: {UserErrors.OneLine(e)}");
            return ExitCodes.Diverged;
        }
        catch (IOException e)
        {
            // Any other fault of the file system (a read that failed underneath, say): the system's words, one line.
            console.Error.WriteLine($"error: {UserErrors.OneLine(e)}");
            return ExitCodes.EnvironmentFault;
        }
        catch (EngineUnavailableException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            // A fault of the program, not of the input: everything a bug report needs, stack trace included.
            console.Error.WriteLine($"internal error: {e}");
            return ExitCodes.Failure;
        }
    }

    public static RootCommand CreateRoot(CommandContext context)
    {
        var root = new RootCommand(
            "GpuSiamese: a Siamese network (dense or convolutional) that learns a distance between images (MNIST digits by default, " +
            "Fashion-MNIST, or a folder of your own classes), trained on handwritten kernels. " +
            "Without a subcommand it runs 'train' (the exercise's job).");
        TrainCommand.Configure(root, context);
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(EvalCommand.Create(context));
        root.Subcommands.Add(CompareCommand.Create(context));
        root.Subcommands.Add(EmbedCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(GalleryCommand.Create(context));
        root.Subcommands.Add(PlotLossCommand.Create(context));
        root.Subcommands.Add(DevicesCommand.Create(context));
        return root;
    }

    /// <summary>"gpusiamese eval" for the command the user was typing.</summary>
    static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(r.Command is RootCommand ? Name : r.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
