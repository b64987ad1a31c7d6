using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// Gathers of batch rows from a device-resident image table (float, or 8-bit divided by 255): the family's operations of
// IBackend, their checks in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/Gather.cs; the reference backend's part: tests/Model/Backends/Families/Gather.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.Gather.Rows"/>.</summary>
    void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width);

    /// <summary>Reference: <see cref="Kernels.Reference.Gather.RowsFromBytes"/> (an 8-bit table, each value / 255 as it is gathered).</summary>
    void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width);
}

public static partial class BackendContract
{
    public static void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        Sizes((rows, nameof(rows)), (width, nameof(width)));
        Holds(indices, rows, nameof(indices));
        Holds(dst, (long)rows * width, nameof(dst));
        Holds(table, 0, nameof(table));
        Apart(dst, (long)rows * width, nameof(dst), (table, table.Length, nameof(table)));
    }

    /// <summary>
    /// <see cref="IBackend.GatherRowsFromBytes"/>: as <see cref="GatherRows"/>; the table holds bytes and dst floats, so they
    /// cannot share storage.
    /// </summary>
    public static void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        Sizes((rows, nameof(rows)), (width, nameof(width)));
        Holds(indices, rows, nameof(indices));
        Holds(dst, (long)rows * width, nameof(dst));
        Holds(table, 0, nameof(table));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRows(table, indices, dst, rows, width);
        var t = Own(table, nameof(table));
        var ix = Own(indices, nameof(indices));
        var d = Own(dst, nameof(dst));
        if (rows == 0 || width == 0) return; // nothing to copy (and no row count to check indices against)
        int tableRows = t.Length / width;
        float* tp = t.Pointer, dp = d.Pointer;
        int* ip = ix.Pointer;
        Split(rows, 1, (long)rows * width * 2, (s, e, _) => SimdKernels.Gather.Rows(tp, tableRows, ip, dp, s, e, width));
    }

    public void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRowsFromBytes(table, indices, dst, rows, width);
        var t = Own(table, nameof(table));
        var ix = Own(indices, nameof(indices));
        var d = Own(dst, nameof(dst));
        if (rows == 0 || width == 0) return;
        int tableRows = t.Length / width;
        byte* tp = t.Pointer;
        float* dp = d.Pointer;
        int* ip = ix.Pointer;
        Split(rows, 1, (long)rows * width * 2, (s, e, _) => SimdKernels.Gather.RowsFromBytes(tp, tableRows, ip, dp, s, e, width));
    }
}

public sealed partial class IlgpuBackend
{
    public void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRows(table, indices, dst, rows, width);
        var work = rt.Plan.Split(rows * width);
        if (work.Units == 0) return;
        K<GatherKernels>().Rows(work.Threads, Of(table).View, Of(indices).View, Of(dst).View, width, work);
    }

    public void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRowsFromBytes(table, indices, dst, rows, width);
        var work = rt.Plan.Split(rows * width);
        if (work.Units == 0) return;
        K<GatherKernels>().RowsFromBytes(work.Threads, Of(table).View, Of(indices).View, Of(dst).View, width, work);
    }
}
