using System.Diagnostics;
using System.Globalization;

namespace GpuSiamese.Data;

/// <summary>
/// The temporary file a writer fills before renaming it over its target: <c>.&lt;name&gt;.&lt;pid&gt;.&lt;guid&gt;.tmp</c>
/// beside the target, so that one left by a writer that died mid-write (SIGKILL, power loss) can be told from one a
/// live process is still writing, and removed by the next run, resume or load in that folder.
/// </summary>
public static class TemporaryFiles
{
    /// <summary>A fresh temporary name beside <paramref name="path"/>, owned by this process.</summary>
    public static string For(string path)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!,
            $".{Path.GetFileName(full)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>
    /// Removes the temporaries in <paramref name="folder"/> whose writer is gone: no process has their pid, or the
    /// process that has it started after the file was last written (the pid was reused). Never one of this process,
    /// nor one a live writer may still be filling. Returns how many were removed; a folder that cannot be read, or a
    /// file that cannot be removed, is left as it is.
    /// </summary>
    public static int RemoveStale(string folder)
    {
        int removed = 0;
        try
        {
            if (!Directory.Exists(folder)) return 0;
            foreach (string file in Directory.EnumerateFiles(folder, ".*.tmp"))
            {
                if (WriterPid(Path.GetFileName(file)) is not { } pid) continue;
                if (!WriterIsGone(pid, File.GetLastWriteTimeUtc(file))) continue;
                try
                {
                    File.Delete(file);
                    removed++;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return removed;
    }

    /// <summary>The pid in ".name.pid.guid.tmp", or null for a name not made by <see cref="For"/>.</summary>
    static int? WriterPid(string name)
    {
        string[] parts = name.Split('.');
        // "", name parts…, pid, guid, "tmp"
        if (parts.Length < 5 || parts[0] != "" || parts[^1] != "tmp" || parts[^2].Length != 32 || !Guid.TryParseExact(parts[^2], "N", out _))
            return null;
        return int.TryParse(parts[^3], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
    }

    static bool WriterIsGone(int pid, DateTime lastWriteUtc)
    {
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return true;
            return process.StartTime.ToUniversalTime() > lastWriteUtc;
        }
        catch (ArgumentException) { return true; } // no process has that pid
        catch (InvalidOperationException) { return true; } // it exited meanwhile
        catch (System.ComponentModel.Win32Exception) { return false; } // cannot tell: leave it
        catch (NotSupportedException) { return false; }
    }
}
