namespace GpuSiamese.Data;

/// <summary>
/// Writing a file failed for a reason of the environment a user can cause or fix: no space left, a read-only, protected
/// or vanished folder, a file locked or deleted underneath. The message is one line: the path, the cause and, once the
/// caller has said it (<see cref="WithKept"/>), what was kept. The host exits with its own code for these.
/// </summary>
public sealed class WriteFailedException : IOException
{
    public WriteFailedException(string path, string cause, string? kept = null, Exception? inner = null)
        : base($"cannot write '{path}': {cause}" + (kept is null ? "" : $"; {kept}"), inner)
    {
        Path = path;
        Cause = cause;
        Kept = kept;
    }

    public string Path { get; }

    /// <summary>What the system said, in words, e.g. "no space left on device".</summary>
    public string Cause { get; }

    /// <summary>What is still there for the user, e.g. "the checkpoint of epoch 1 is kept in …".</summary>
    public string? Kept { get; }

    /// <summary>The same fault, its message saying what was kept.</summary>
    public WriteFailedException WithKept(string kept) => new(Path, Cause, kept, InnerException);

    /// <summary>Whether <paramref name="e"/>, thrown while writing, is a fault of the environment (not of the program).</summary>
    public static bool IsEnvironmental(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>
    /// The fault of writing <paramref name="path"/> as a <see cref="WriteFailedException"/> (naming <paramref name="path"/>),
    /// its cause in words from the system's message.
    /// </summary>
    public static WriteFailedException From(string path, Exception e) => e switch
    {
        // A writer of a temporary file for this one failed: the user knows the path they asked for.
        WriteFailedException w => w.Path == path ? w : new(path, w.Cause, w.Kept, w.InnerException),
        DirectoryNotFoundException => new(path, "its folder no longer exists", inner: e),
        FileNotFoundException => new(path, "a file was deleted while it was written", inner: e),
        UnauthorizedAccessException => new(path, "permission denied (a read-only or protected folder?)", inner: e),
        _ => new(path, CauseIn(e.Message), inner: e),
    };

    /// <summary>"No space left on device : '/x/y'" → "no space left on device".</summary>
    static string CauseIn(string message)
    {
        int at = message.IndexOf(" : '", StringComparison.Ordinal);
        string cause = (at > 0 ? message[..at] : message).Trim().TrimEnd('.');
        int newline = cause.IndexOfAny(['\r', '\n']);
        if (newline >= 0) cause = cause[..newline];
        return cause.Length > 0 ? char.ToLowerInvariant(cause[0]) + cause[1..] : "an input/output error";
    }
}
