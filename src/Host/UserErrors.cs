using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Host;

/// <summary>
/// Exceptions a user can cause (a bad file, a bad option, missing data): the host prints their message as one line
/// and exits with code 2. Anything else is a fault of the program and keeps its stack trace.
/// </summary>
public static class UserErrors
{
    public static bool Is(Exception e) => e is ArgumentException or InvalidDataException or FileNotFoundException
        or DirectoryNotFoundException or DatasetUnavailableException or UnauthorizedAccessException
        or IlgpuAcceleratorException;

    /// <summary>The message's first line: the one line the user sees.</summary>
    public static string OneLine(Exception e)
    {
        string message = e is ArgumentException a && a.ParamName is not null
            ? a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal)
            : e.Message;
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
