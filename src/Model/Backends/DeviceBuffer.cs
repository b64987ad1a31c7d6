namespace GpuSiamese.Model.Backends;

/// <summary>
/// A typed buffer owned by one backend (device memory for ILGPU, a managed array for SIMD).
/// A slice shares the storage of its parent and must not outlive it; disposing a slice does nothing.
/// </summary>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    /// <summary>Number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>A view of <paramref name="length"/> elements from <paramref name="offset"/>.</summary>
    public abstract DeviceBuffer<T> Slice(int offset, int length);

    public abstract void Dispose();
}
