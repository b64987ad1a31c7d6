using ILGPU;
using ILGPU.Runtime;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// Device memory of an <see cref="IlgpuBackend"/>: the owner holds the ILGPU buffer; a slice is a
/// SubView of its parent's view and owns nothing.
/// </summary>
public sealed class IlgpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    readonly MemoryBuffer1D<T, Stride1D.Dense>? owner;

    internal IlgpuBuffer(Accelerator accelerator, MemoryBuffer1D<T, Stride1D.Dense> buffer) : base(buffer, 0)
    {
        Accelerator = accelerator;
        owner = buffer;
        View = buffer.View;
    }

    IlgpuBuffer(Accelerator accelerator, ArrayView<T> view, object storage, int offset) : base(storage, offset)
    {
        Accelerator = accelerator;
        View = view;
        Offset = offset;
    }

    /// <summary>Elements between the start of the allocation and the start of this view.</summary>
    public int Offset { get; }

    /// <summary>The accelerator the memory lives on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The elements as a kernel argument.</summary>
    public ArrayView<T> View { get; }

    public override int Length => (int)View.Length;

    public override DeviceBuffer<T> Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"slice [{offset}, {offset}+{length}) does not fit a buffer of {Length} elements");
        // An empty slice at the end (a layer without parameters after the last one that has some) is an empty view:
        // ILGPU's SubView asserts that its start lies inside the view.
        var view = length == 0 ? default : View.SubView(offset, length);
        return new IlgpuBuffer<T>(Accelerator, view, Storage, Offset + offset);
    }

    public override void Dispose() => owner?.Dispose();
}
