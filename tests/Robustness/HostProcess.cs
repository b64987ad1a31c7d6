using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// The real program as a child process: <c>dotnet gpusiamese.dll …</c>, the host assembly that the test
/// project's reference to src/Host copies beside the tests (so a clean clone's <c>dotnet test</c> builds it).
/// </summary>
public sealed class HostProcess : IDisposable
{
    const int SigInt = 2, SigKill = 9;

    readonly Process _process;
    readonly Task<string> _out, _error;

    HostProcess(Process process)
    {
        _process = process;
        _out = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public static string HostAssembly => Path.Combine(AppContext.BaseDirectory, "gpusiamese.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the program with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    public static HostProcess Start(string workingDirectory, params string[] args)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            Assert.Ignore("signals are sent with POSIX kill(2)");
        Assert.That(File.Exists(HostAssembly), Is.True, $"the host assembly is built beside the tests: {HostAssembly}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostAssembly);
        foreach (string a in args) start.ArgumentList.Add(a);
        // A startup hook of the test run (a coverage collector, say) is not part of the program under test.
        start.Environment.Remove("DOTNET_STARTUP_HOOKS");
        return new HostProcess(Process.Start(start)!);
    }

    /// <summary>Ctrl+C as a terminal sends it.</summary>
    public void Interrupt() => Signal(SigInt);

    /// <summary>Death without warning: no handler, no finally block runs.</summary>
    public void KillHard() => Signal(SigKill);

    /// <summary>Waits for the exit and returns (exit code, stdout, stderr); kills the child if it outlives the timeout.</summary>
    public (int Code, string Out, string Error) WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Assert.Fail($"the child did not exit within {timeout.TotalSeconds} s; stderr: {_error.Result}");
        }
        _process.WaitForExit();
        return (_process.ExitCode, _out.Result, _error.Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0 && !_process.HasExited)
            Assert.Fail($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The dotnet executable running these tests (the SDK names it in DOTNET_HOST_PATH), else the one on PATH.</summary>
    static string DotnetHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (fromSdk is not null && File.Exists(fromSdk)) return fromSdk;
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);
}
