namespace GpuSiamese.Model.Backends;

/// <summary>
/// A typed buffer owned by one backend (device memory for ILGPU, a managed array for SIMD).
/// A slice shares the storage of its parent and must not outlive it; disposing a slice does nothing.
/// </summary>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    /// <param name="storage">The allocation this buffer views (the same object for a buffer and all its slices).</param>
    /// <param name="offset">Where in <paramref name="storage"/> this view starts, in elements.</param>
    protected DeviceBuffer(object storage, long offset)
    {
        ArgumentNullException.ThrowIfNull(storage);
        Storage = storage;
        StorageOffset = offset;
    }

    /// <summary>Number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>The allocation this buffer views: a buffer and its slices share it.</summary>
    public object Storage { get; }

    /// <summary>Where in <see cref="Storage"/> this view starts, in elements.</summary>
    public long StorageOffset { get; }

    /// <summary>A view of <paramref name="length"/> elements from <paramref name="offset"/>.</summary>
    public abstract DeviceBuffer<T> Slice(int offset, int length);

    public abstract void Dispose();
}
