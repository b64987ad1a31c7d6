using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>
/// One part of a backend's profile. <see cref="Program.Sections"/> lists them in order; the trainer's real
/// training pairs/s joins as one more section there.
/// </summary>
public interface IProfileSection
{
    void Run(IBackend backend, ProfilerOptions options, Report report);
}
