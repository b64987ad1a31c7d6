using GpuSiamese.Data;

namespace GpuSiamese.Host.Output;

/// <summary>
/// Writes through a temporary file beside the target (<see cref="TemporaryFiles"/>) and a rename, so a failure never
/// leaves half a file; a failure of the environment (no space, a read-only or vanished folder) is a
/// <see cref="WriteFailedException"/> naming the path.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temporary => File.WriteAllText(temporary, text));

    public static void Write(string path, Action<string> writeTemporary)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{path}: the folder '{folder}' does not exist");
        if (folder is not null) TemporaryFiles.RemoveStale(folder);
        string temporary = TemporaryFiles.For(full);
        try
        {
            writeTemporary(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (WriteFailedException.IsEnvironmental(e))
        {
            throw WriteFailedException.From(path, e).WithKept(File.Exists(full)
                ? "its previous contents are kept, no partial file is left"
                : "no partial file is left");
        }
        finally
        {
            try { if (File.Exists(temporary)) File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
