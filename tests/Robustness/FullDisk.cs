using System.Diagnostics;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// A real full disk without root: the program runs as a child in a private user and mount namespace
/// (<c>unshare -rm</c>), where a folder is a tmpfs of a given size, optionally filled to the last byte first. What the
/// mount holds when the child ends is copied out, since the mount ends with it. Tests are ignored, with the reason,
/// where such a mount cannot be made (no unshare, user namespaces disabled).
/// </summary>
public static class FullDisk
{
    // $1: mount point, $2: tmpfs size in bytes, $3: 1 to fill it first, $4: folder to copy the mount's files to; then the command.
    const string Script = """
        mnt=$1; size=$2; fill=$3; out=$4; shift 4
        mount -t tmpfs -o size="$size" none "$mnt" || exit 97
        if [ "$fill" = 1 ]; then dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null; fi
        "$@"; code=$?
        rm -f "$mnt/filler"; cp -a "$mnt/." "$out/"
        exit $code
        """;

    static string? _unavailable;
    static bool _probed;

    /// <summary>Ignores the test unless a tmpfs can be mounted in a private namespace here.</summary>
    public static void RequireMount()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("a private tmpfs needs Linux namespaces");
        if (!_probed)
        {
            _probed = true;
            string probe = Directory.CreateTempSubdirectory("gpusiamese-mount-").FullName;
            try
            {
                var start = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (string a in new[] { "-rm", "sh", "-c", "mount -t tmpfs -o size=65536 none \"$1\"", "sh", probe }) start.ArgumentList.Add(a);
                using var p = Process.Start(start)!;
                string error = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) _unavailable = $"unshare -rm cannot mount a tmpfs here (exit {p.ExitCode}): {error.Trim()}";
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                _unavailable = $"unshare is not available: {e.Message}";
            }
            finally
            {
                Directory.Delete(probe, recursive: true);
            }
        }
        if (_unavailable is not null) Assert.Ignore(_unavailable);
    }

    /// <summary>
    /// Runs the program with <paramref name="args"/> where <paramref name="mountPoint"/> (an existing empty folder) is a
    /// tmpfs of <paramref name="bytes"/> bytes, filled first when <paramref name="fill"/>; the mount's files end up in
    /// <paramref name="copyTo"/>.
    /// </summary>
    public static (int Code, string Out, string Error) Run(string workingDirectory, string mountPoint, long bytes, bool fill,
        string copyTo, params string[] args)
    {
        RequireMount();
        Directory.CreateDirectory(copyTo);
        string[] wrapper = ["unshare", "-rm", "sh", "-c", Script, "sh", mountPoint, bytes.ToString(), fill ? "1" : "0", copyTo];
        using var child = HostProcess.StartWrapped(workingDirectory, wrapper, new Dictionary<string, string>(), args);
        var result = child.WaitForExit();
        Assert.That(result.Code, Is.Not.EqualTo(97), $"the tmpfs could not be mounted: {result.Error}");
        return result;
    }
}
