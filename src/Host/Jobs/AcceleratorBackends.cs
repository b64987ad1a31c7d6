using GpuSiamese.Host.Options;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Host.Jobs;

/// <summary>--accelerator to a backend, through the Model's <see cref="Accelerators"/> (the choice as the option spells it).</summary>
public static class AcceleratorBackends
{
    public static IBackend Create(AcceleratorChoice choice, Action<string> log) =>
        Accelerators.Create(choice.ToString().ToLowerInvariant(), log);
}
