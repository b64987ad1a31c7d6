using GpuSiamese.Host.Jobs;

namespace GpuSiamese.Host.Commands;

/// <summary>What every command's action needs: where to write, the training engine, Ctrl+C, and the clock (for run names).</summary>
public sealed record CommandContext(HostConsole Console, IModelJobs? Jobs, CancellationToken Cancel, Func<DateTime> Clock)
{
    /// <summary>The engine, or a clear refusal when this build of the host was started without one.</summary>
    public IModelJobs RequireJobs(string command) =>
        Jobs ?? throw new EngineUnavailableException($"'{command}' needs the training engine, which this build of the host was started without");

    /// <summary>Checks that an input file exists, naming the option it came from.</summary>
    public static void RequireFile(string path, string option)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{option}: no such file '{path}'", path);
    }
}

/// <summary>The host was started without an <see cref="IModelJobs"/>; exit code 1.</summary>
public sealed class EngineUnavailableException(string message) : Exception(message);
