using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// A backend that hands every operation to <c>inner</c>, each one virtual, so that a test fake overrides only the
/// operation (or family) it changes. Each family's forwarding lives with the family (tests/Model/Backends/Families).
/// </summary>
public abstract partial class DelegatingBackend(IBackend inner) : IBackend
{
    protected IBackend Inner => inner;

    public virtual string Name => inner.Name;

    public virtual DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged => inner.Allocate<T>(length);

    public virtual void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged => inner.Upload(dst, src);

    public virtual void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged => inner.Download(src, dst);

    public virtual void Synchronize() => inner.Synchronize();

    public virtual void Dispose() => inner.Dispose();
}
