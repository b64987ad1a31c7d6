using Spectre.Console;

namespace GpuSiamese.Host.Progress;

/// <summary>
/// Spectre.Console progress bars on a terminal: one bar per epoch, left on screen when the epoch ends with its
/// accuracies, so the finished bars form the epoch history.
/// </summary>
public sealed class LiveProgressDisplay : IProgressDisplay
{
    readonly IAnsiConsole _console;

    public LiveProgressDisplay(TextWriter output)
    {
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.Yes,
        });
    }

    public T Run<T>(Func<IProgress<EpochProgress>, Action<string>, T> work) =>
        _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(), new RemainingTimeColumn())
            .Start(context => work(new Sink(context), message => _console.WriteLine(message)));

    sealed class Sink(ProgressContext context) : IProgress<EpochProgress>
    {
        ProgressTask? _task;
        int _epoch;

        public void Report(EpochProgress p)
        {
            if (_task is null || p.Epoch != _epoch)
            {
                _task?.StopTask();
                _epoch = p.Epoch;
                _task = context.AddTask(Markup.Escape(ProgressText.EpochLabel(p)), maxValue: Math.Max(p.Steps, 1));
            }
            string text = p.EpochDone ? ProgressText.Finished(p) : ProgressText.Running(p);
            _task.Description = Markup.Escape($"{ProgressText.EpochLabel(p)}  {text}");
            _task.Value = p.EpochDone ? _task.MaxValue : p.Step;
            if (p.EpochDone) _task.StopTask();
        }
    }
}
