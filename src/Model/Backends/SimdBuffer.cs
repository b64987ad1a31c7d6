using System.Runtime.InteropServices;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// A <see cref="SimdBackend"/> buffer: native memory aligned to 64 bytes (one AVX-512 register, one cache
/// line), so the kernels take plain pointers without pinning. A slice shares its parent's block. Every
/// block is followed by <see cref="Kernels.Simd.Dense.ReadSlackBytes"/> of zeroed slack, which the dense
/// kernels may read (never write) past a row's end.
/// </summary>
public sealed unsafe class SimdBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    readonly NativeBlock block;
    readonly int offset, length;
    readonly bool owner;

    internal SimdBuffer(int length) : this(NewBlock(length), length)
    {
    }

    SimdBuffer(NativeBlock block, int length) : base(block, 0)
    {
        this.block = block;
        this.length = length;
        owner = true;
    }

    SimdBuffer(NativeBlock block, int offset, int length) : base(block, offset)
    {
        this.block = block;
        this.offset = offset;
        this.length = length;
    }

    static NativeBlock NewBlock(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "a buffer length must not be negative");
        return new NativeBlock((nuint)length * (nuint)sizeof(T));
    }

    public override int Length => length;

    /// <summary>The first element; valid while the parent buffer is not disposed.</summary>
    public T* Pointer => (T*)block.Address + offset;

    public Span<T> Span => new(Pointer, length);

    public override DeviceBuffer<T> Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > this.length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"slice [{offset}, {(long)offset + length}) is outside a buffer of {this.length} elements");
        return new SimdBuffer<T>(block, this.offset + offset, length);
    }

    public override void Dispose()
    {
        if (owner) block.Dispose();
    }

    /// <summary>One aligned native allocation, zero-filled; freed by its owner's Dispose or, failing that, the finalizer.</summary>
    sealed class NativeBlock : IDisposable
    {
        const nuint Alignment = 64;
        void* address;
        readonly long bytes;

        public NativeBlock(nuint bytes)
        {
            nuint total = bytes + Kernels.Simd.Dense.ReadSlackBytes;
            address = NativeMemory.AlignedAlloc(total, Alignment);
            NativeMemory.Clear(address, total);
            this.bytes = (long)bytes;
            if (this.bytes > 0) GC.AddMemoryPressure(this.bytes);
        }

        public void* Address => address != null ? address : throw new ObjectDisposedException(nameof(SimdBuffer<T>));

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        ~NativeBlock() => Free();

        void Free()
        {
            if (address == null) return;
            NativeMemory.AlignedFree(address);
            address = null;
            if (bytes > 0) GC.RemoveMemoryPressure(bytes);
        }
    }
}
