using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>
/// One kernel family's kernels as a <see cref="KernelPlan"/> launches them (blocked or one work-item per unit, the Float4
/// variants where the plan can take them): a record beside the family's kernels, made by its static <c>For(plan)</c>,
/// listed in <see cref="KernelVariants.Families"/>. The backend loads each family once with <see cref="Load"/> and keeps
/// the loaded record; <see cref="Kernels"/> names the methods (for compiling them all, e.g. to PTX).
/// </summary>
public interface IKernelFamily
{
    /// <summary>The kernel methods of this plan's choice, unloaded or loaded; null entries are variants the plan does not launch.</summary>
    IEnumerable<Delegate?> Kernels { get; }

    /// <summary>The same record with every kernel loaded by <paramref name="loader"/> (compiled for its accelerator).</summary>
    IKernelFamily Load(IKernelLoader loader);
}

/// <summary>Compiles and loads kernels for one accelerator (the backend's runtime), with the plan's group size.</summary>
public interface IKernelLoader
{
    Action<Index1D, T1, T2> Load<T1, T2>(Action<Index1D, T1, T2> kernel)
        where T1 : struct where T2 : struct;

    Action<Index1D, T1, T2, T3> Load<T1, T2, T3>(Action<Index1D, T1, T2, T3> kernel)
        where T1 : struct where T2 : struct where T3 : struct;

    Action<Index1D, T1, T2, T3, T4> Load<T1, T2, T3, T4>(Action<Index1D, T1, T2, T3, T4> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct;

    Action<Index1D, T1, T2, T3, T4, T5> Load<T1, T2, T3, T4, T5>(Action<Index1D, T1, T2, T3, T4, T5> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct;

    Action<Index1D, T1, T2, T3, T4, T5, T6> Load<T1, T2, T3, T4, T5, T6>(Action<Index1D, T1, T2, T3, T4, T5, T6> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct;

    Action<Index1D, T1, T2, T3, T4, T5, T6, T7> Load<T1, T2, T3, T4, T5, T6, T7>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct;

    Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> Load<T1, T2, T3, T4, T5, T6, T7, T8>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct;

    /// <summary>An explicitly grouped kernel (its launch names the grid and group).</summary>
    Action<KernelConfig, T1, T2, T3> LoadGrouped<T1, T2, T3>(Action<T1, T2, T3> kernel)
        where T1 : struct where T2 : struct where T3 : struct;
}
