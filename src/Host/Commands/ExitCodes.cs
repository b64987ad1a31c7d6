namespace GpuSiamese.Host.Commands;

/// <summary>The process's exit codes.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A fault of the program, or no training engine in this build.</summary>
    public const int Failure = 1;
    /// <summary>A user error: bad option, bad value, bad or missing file, no MNIST.</summary>
    public const int UsageError = 2;
    /// <summary>Training stopped on a non-finite loss or parameter; the last epoch-end checkpoint, if any, is kept.</summary>
    public const int Diverged = 3;
    /// <summary>
    /// The environment failed a write the user can fix: no space left, a read-only, protected or vanished folder, a file
    /// locked or deleted underneath. One line names the path, the cause and what was kept.
    /// </summary>
    public const int EnvironmentFault = 4;
    /// <summary>Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}
