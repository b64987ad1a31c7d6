using System.Diagnostics;
using System.Globalization;

namespace GpuSiamese.Host.Runs;

/// <summary>The process's peak resident set size: VmHWM from /proc/self/status on Linux, else PeakWorkingSet64.</summary>
public static class PeakMemory
{
    public static long Bytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (string line in File.ReadLines(status))
            {
                // "VmHWM:     123456 kB"
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                    return kb * 1024;
            }
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
