using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// An <see cref="IBackend"/> made of the double-precision reference methods: each call widens its float
/// operands to double, runs the reference and rounds the outputs back. Slow and exact enough to test the
/// trainer and evaluator without a fast backend.
/// </summary>
public sealed partial class ReferenceBackend : IBackend
{
    sealed class HostBuffer<T>(T[] array, int offset, int length) : DeviceBuffer<T>(array, offset) where T : unmanaged
    {
        public T[] Array { get; } = array;
        public int Offset { get; } = offset;
        public override int Length { get; } = length;
        public Span<T> Span => Array.AsSpan(Offset, Length);

        public override DeviceBuffer<T> Slice(int offset, int length)
        {
            if (offset < 0 || length < 0 || offset + length > Length)
                throw new ArgumentOutOfRangeException(nameof(offset), $"slice {offset}+{length} of a {Length}-element buffer");
            return new HostBuffer<T>(Array, Offset + offset, length);
        }

        public override void Dispose()
        {
        }
    }

    public string Name => "reference (double precision)";

    public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged => new HostBuffer<T>(new T[length], 0, length);

    public void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged
    {
        BackendContract.Upload(dst, src.Length);
        src.CopyTo(Host(dst).Span);
    }

    public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged
    {
        BackendContract.Download(src, dst.Length);
        Host(src).Span[..dst.Length].CopyTo(dst);
    }

    public void Synchronize()
    {
    }

    public void Dispose()
    {
    }

    static HostBuffer<T> Host<T>(DeviceBuffer<T> b) where T : unmanaged =>
        b as HostBuffer<T> ?? throw new ArgumentException("buffer belongs to another backend");

    static double[] D(DeviceBuffer<float> b) => D(b, b.Length);

    static double[] D(DeviceBuffer<float> b, int n)
    {
        var s = Host(b).Span;
        if (n > s.Length) throw new ArgumentException($"operation needs {n} elements, buffer holds {s.Length}");
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = s[i];
        return d;
    }

    static void Put(DeviceBuffer<float> b, double[] values)
    {
        var s = Host(b).Span;
        if (values.Length > s.Length) throw new ArgumentException($"operation writes {values.Length} elements, buffer holds {s.Length}");
        for (int i = 0; i < values.Length; i++) s[i] = (float)values[i];
    }
}
