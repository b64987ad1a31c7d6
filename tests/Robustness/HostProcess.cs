using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// The real program as a child process: <c>dotnet gpusiamese.dll …</c>, the host assembly that the test
/// project's reference to src/Host copies beside the tests (so a clean clone's <c>dotnet test</c> builds it).
/// Its stderr is read all the time, line by line (<see cref="WaitForErrorLine"/>). Its stdout is either read all
/// the time too, or, started with <see cref="StartHeld"/>, only when the test reads it (<see cref="ReadOutputLine"/>,
/// <see cref="ReleaseOutput"/>): a child that writes more than the pipe holds then waits for the test, which is how
/// tests hold a child mid-work by construction rather than by timing.
/// </summary>
public sealed class HostProcess : IDisposable
{
    const int SigInt = 2, SigKill = 9, SigStop = 19, SigCont = 18;
    const int GetPipeSize = 1032; // F_GETPIPE_SZ
    /// <summary>How long a wait may take before the child is taken for hung: a guard against hangs, never an outcome.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    readonly Process _process;
    readonly Task _error;
    readonly List<string> _errorLines = [];
    readonly System.Text.StringBuilder _outRead = new();
    Task<string>? _out;

    HostProcess(Process process, bool holdOutput)
    {
        _process = process;
        if (!holdOutput) _out = process.StandardOutput.ReadToEndAsync();
        _error = Task.Run(() =>
        {
            while (process.StandardError.ReadLine() is { } line)
                lock (_errorLines)
                {
                    _errorLines.Add(line);
                    Monitor.PulseAll(_errorLines);
                }
            lock (_errorLines) Monitor.PulseAll(_errorLines);
        });
    }

    public static string HostAssembly => Path.Combine(AppContext.BaseDirectory, "gpusiamese.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the program with <paramref name="args"/> in <paramref name="workingDirectory"/>; its output is read as it comes.</summary>
    public static HostProcess Start(string workingDirectory, params string[] args) => Start(workingDirectory, args, holdOutput: false);

    /// <summary>Starts the program; its stdout is read only through <see cref="ReadOutputLine"/> and <see cref="ReleaseOutput"/>.</summary>
    public static HostProcess StartHeld(string workingDirectory, params string[] args) => Start(workingDirectory, args, holdOutput: true);

    /// <summary>
    /// Starts the program through <paramref name="wrapper"/> (a command that ends by running the arguments it is
    /// given, such as <c>unshare … sh -c '…; exec "$@"'</c>) with <paramref name="environment"/> added.
    /// </summary>
    public static HostProcess StartWrapped(string workingDirectory, string[] wrapper, IReadOnlyDictionary<string, string> environment,
        params string[] args) => Start(workingDirectory, args, holdOutput: false, wrapper, environment);

    static HostProcess Start(string workingDirectory, string[] args, bool holdOutput, string[]? wrapper = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            Assert.Ignore("signals are sent with POSIX kill(2)");
        Assert.That(File.Exists(HostAssembly), Is.True, $"the host assembly is built beside the tests: {HostAssembly}");
        var start = new ProcessStartInfo(wrapper is { Length: > 0 } ? wrapper[0] : DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper is { Length: > 0 })
        {
            foreach (string w in wrapper.Skip(1)) start.ArgumentList.Add(w);
            start.ArgumentList.Add(DotnetHost());
        }
        start.ArgumentList.Add(HostAssembly);
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        // A startup hook of the test run (a coverage collector, say) is not part of the program under test.
        start.Environment.Remove("DOTNET_STARTUP_HOOKS");
        return new HostProcess(Process.Start(start)!, holdOutput);
    }

    /// <summary>
    /// The capacity in bytes of the pipe behind the child's stdout: what the child can write while the test
    /// does not read (Linux; the test is ignored elsewhere).
    /// </summary>
    public int OutputPipeCapacity()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("the pipe's capacity is asked with Linux's F_GETPIPE_SZ");
        var stream = _process.StandardOutput.BaseStream as PipeStream
            ?? throw new InvalidOperationException($"stdout is a {_process.StandardOutput.BaseStream.GetType()}, not a pipe stream");
        int size = fcntl((int)stream.SafePipeHandle.DangerousGetHandle(), GetPipeSize, 0);
        Assert.That(size, Is.GreaterThan(0), $"F_GETPIPE_SZ failed with errno {Marshal.GetLastPInvokeError()}");
        return size;
    }

    /// <summary>Reads stdout lines (held output only) until one matches; returns it. Fails if the output ends first.</summary>
    public string ReadOutputLine(Func<string, bool> match)
    {
        if (_out is not null) throw new InvalidOperationException("the output is already being read to its end");
        while (true)
        {
            var read = _process.StandardOutput.ReadLineAsync();
            if (!read.Wait(HangGuard)) Fail("no output line");
            string? line = read.Result;
            if (line is null) Fail("the output ended before the line looked for");
            _outRead.AppendLine(line);
            if (match(line!)) return line!;
        }
    }

    /// <summary>Reads the rest of a held stdout from now on.</summary>
    public void ReleaseOutput() => _out ??= _process.StandardOutput.ReadToEndAsync();

    /// <summary>Waits until a stderr line matches; returns it. Fails if stderr ends first.</summary>
    public string WaitForErrorLine(Func<string, bool> match)
    {
        var clock = Stopwatch.StartNew();
        lock (_errorLines)
        {
            while (true)
            {
                if (_errorLines.FirstOrDefault(match) is { } found) return found;
                if (_error.IsCompleted) Fail("stderr ended before the line looked for");
                if (clock.Elapsed > HangGuard) Fail("no such stderr line");
                Monitor.Wait(_errorLines, TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>Ctrl+C as a terminal sends it.</summary>
    public void Interrupt() => Signal(SigInt);

    /// <summary>Death without warning: no handler, no finally block runs.</summary>
    public void KillHard() => Signal(SigKill);

    /// <summary>
    /// Stops every thread of the child (SIGSTOP) and returns once all of them are stopped, so that what the child
    /// has written so far is all it will have written until <see cref="Continue"/> or <see cref="KillHard"/>.
    /// </summary>
    public void Freeze()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("a stopped child's threads are seen in Linux's /proc");
        Signal(SigStop);
        var clock = Stopwatch.StartNew();
        while (!AllThreadsStopped())
        {
            if (clock.Elapsed > HangGuard) Fail("the child's threads did not all stop");
            Thread.Sleep(1);
        }
    }

    /// <summary>Lets a frozen child run on.</summary>
    public void Continue() => Signal(SigCont);

    bool AllThreadsStopped()
    {
        foreach (string task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
            catch (IOException) { continue; } // a thread that ended meanwhile
            // "tid (comm) S …": the state follows the last ')' (a thread's name may hold one).
            char state = stat[stat.LastIndexOf(')') + 2];
            if (state is not ('T' or 't' or 'Z' or 'X')) return false;
        }
        return true;
    }

    /// <summary>Waits for the exit and returns (exit code, stdout, stderr); kills the child if it outlives the timeout.</summary>
    public (int Code, string Out, string Error) WaitForExit(TimeSpan timeout)
    {
        ReleaseOutput();
        if (!_process.WaitForExit(timeout)) Fail($"the child did not exit within {timeout.TotalSeconds} s");
        _process.WaitForExit();
        _error.Wait();
        lock (_errorLines)
            return (_process.ExitCode, _outRead + _out!.Result, string.Join("\n", _errorLines));
    }

    /// <summary>Waits for the exit with the hang guard as the limit.</summary>
    public (int Code, string Out, string Error) WaitForExit() => WaitForExit(HangGuard);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    void Fail(string what)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        string error;
        lock (_errorLines) error = string.Join("\n", _errorLines);
        Assert.Fail($"{what}; stderr: {error}");
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

    [DllImport("libc", SetLastError = true)]
    static extern int fcntl(int fd, int command, int argument);
}
