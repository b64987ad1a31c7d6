using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>
/// Gathers batch rows from the device-resident image table, of floats or of 8-bit values (twin of <see cref="Reference.Gather"/>).
/// Units are the rows·width output elements; <c>*Blocked</c> walks a block of them per thread (CPU
/// accelerator), the other entry point takes one per work-item.
/// </summary>
public static class Gather
{
    /// <summary>dst[r, c] = table[indices[r]·width + c], a block of elements per thread.</summary>
    public static void RowsBlocked(Index1D thread, ArrayView<float> table, ArrayView<int> indices, ArrayView<float> dst,
        int width, WorkSplit work)
    {
        for (int k = work.Begin(thread), end = work.End(thread); k < end; k++) RowsAt(k, table, indices, dst, width);
    }

    /// <summary>dst[r, c] = table[indices[r]·width + c], one element per work-item.</summary>
    public static void Rows(Index1D k, ArrayView<float> table, ArrayView<int> indices, ArrayView<float> dst,
        int width, WorkSplit work) => RowsAt(k, table, indices, dst, width);

    /// <summary>dst[r, c] = table[indices[r]·width + c] / 255 from an 8-bit table (<see cref="Reference.Gather.RowsFromBytes"/>), a block of elements per thread.</summary>
    public static void RowsFromBytesBlocked(Index1D thread, ArrayView<byte> table, ArrayView<int> indices, ArrayView<float> dst,
        int width, WorkSplit work)
    {
        for (int k = work.Begin(thread), end = work.End(thread); k < end; k++) RowsFromBytesAt(k, table, indices, dst, width);
    }

    /// <summary>dst[r, c] = table[indices[r]·width + c] / 255 from an 8-bit table, one element per work-item.</summary>
    public static void RowsFromBytes(Index1D k, ArrayView<byte> table, ArrayView<int> indices, ArrayView<float> dst,
        int width, WorkSplit work) => RowsFromBytesAt(k, table, indices, dst, width);

    static void RowsFromBytesAt(int k, ArrayView<byte> table, ArrayView<int> indices, ArrayView<float> dst, int width)
    {
        int r = k / width;
        dst[k] = table[(long)indices[r] * width + (k - r * width)] / 255f;
    }

    static void RowsAt(int k, ArrayView<float> table, ArrayView<int> indices, ArrayView<float> dst, int width)
    {
        int r = k / width;
        dst[k] = table[(long)indices[r] * width + (k - r * width)];
    }
}

/// <summary>The gather kernels a plan launches (float and 8-bit tables): blocked, or one work-item per element.</summary>
public sealed record GatherKernels(
    Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, WorkSplit> Rows,
    Action<Index1D, ArrayView<byte>, ArrayView<int>, ArrayView<float>, int, WorkSplit> RowsFromBytes) : IKernelFamily
{
    public static GatherKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(Gather.RowsBlocked, Gather.RowsFromBytesBlocked)
        : new(Gather.Rows, Gather.RowsFromBytes);

    public IEnumerable<Delegate?> Kernels => [Rows, RowsFromBytes];

    public IKernelFamily Load(IKernelLoader l) => new GatherKernels(l.Load(Rows), l.Load(RowsFromBytes));
}
