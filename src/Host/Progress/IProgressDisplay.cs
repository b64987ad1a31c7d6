namespace GpuSiamese.Host.Progress;

/// <summary>
/// Shows training progress while <c>work</c> runs; <c>work</c> reports through the progress sink and writes messages
/// (e.g. "fetching MNIST") through the log it is handed, so they do not tear the live display.
/// </summary>
public interface IProgressDisplay
{
    T Run<T>(Func<IProgress<EpochProgress>, Action<string>, T> work);
}

/// <summary>Picks the display: none with --quiet, live bars on a terminal, plain lines otherwise.</summary>
public static class ProgressDisplay
{
    public static IProgressDisplay For(HostConsole console, bool quiet) =>
        quiet ? new SilentProgressDisplay()
        : console.IsTerminal ? new LiveProgressDisplay(console.Out)
        : new PlainProgressDisplay(console.Out);
}

/// <summary>--quiet: progress and messages are dropped.</summary>
public sealed class SilentProgressDisplay : IProgressDisplay
{
    public T Run<T>(Func<IProgress<EpochProgress>, Action<string>, T> work) => work(new Sink(_ => { }), _ => { });

    sealed class Sink(Action<EpochProgress> report) : IProgress<EpochProgress>
    {
        public void Report(EpochProgress value) => report(value);
    }
}
