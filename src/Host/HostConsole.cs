namespace GpuSiamese.Host;

/// <summary>
/// Where the host writes: standard output and error, and whether output goes to a terminal (live progress bars)
/// or elsewhere (plain lines that stay readable in CI logs). Tests hand in string writers.
/// </summary>
public sealed record HostConsole(TextWriter Out, TextWriter Error, bool IsTerminal)
{
    public static HostConsole System() => new(Console.Out, Console.Error, !Console.IsOutputRedirected);
}
