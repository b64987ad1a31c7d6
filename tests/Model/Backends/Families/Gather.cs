using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Gathers of batch rows from a device-resident image table (float, or 8-bit divided by 255): the reference backend's
// part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRows(table, indices, dst, rows, width);
        var y = new double[rows * width];
        Ref.Gather.Rows(D(table), Host(indices).Span.ToArray(), y, rows, width);
        Put(dst, y);
    }

    public void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRowsFromBytes(table, indices, dst, rows, width);
        var y = new double[rows * width];
        Ref.Gather.RowsFromBytes(Host(table).Span.ToArray(), Host(indices).Span.ToArray(), y, rows, width);
        Put(dst, y);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width) =>
        inner.GatherRows(table, indices, dst, rows, width);

    public virtual void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width) =>
        inner.GatherRowsFromBytes(table, indices, dst, rows, width);
}
