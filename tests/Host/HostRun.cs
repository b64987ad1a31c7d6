using GpuSiamese.Host;
using GpuSiamese.Host.Jobs;

namespace GpuSiamese.Tests.Host;

/// <summary>One in-process run of the command line, as Program.Main makes it, with captured output.</summary>
public sealed record HostRun(int ExitCode, string Out, string Error)
{
    public static readonly DateTime Clock = new(2026, 11, 23, 4, 5, 6);

    /// <summary>Runs with output "redirected" (plain progress lines), the fixed clock and the given engine.</summary>
    public static HostRun Of(IModelJobs? jobs, params string[] args) => Of(jobs, CancellationToken.None, args);

    public static HostRun Of(IModelJobs? jobs, CancellationToken cancel, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Cli.Run(args, new HostConsole(output, error, IsTerminal: false), jobs, cancel, () => Clock);
        return new HostRun(code, output.ToString(), error.ToString());
    }

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A fresh folder under the system's temporary folder, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gpusiamese-host-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true); }
}
