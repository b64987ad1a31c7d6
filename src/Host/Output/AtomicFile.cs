namespace GpuSiamese.Host.Output;

/// <summary>Writes through a temporary file beside the target and a rename, so a failure never leaves half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temporary => File.WriteAllText(temporary, text));

    public static void Write(string path, Action<string> writeTemporary)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{path}: the folder '{folder}' does not exist");
        string temporary = full + ".tmp";
        try
        {
            writeTemporary(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
