using GpuSiamese.Kernels;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// The rules every <see cref="IBackend"/> applies before it computes, written once: each backend's operation starts by
/// calling the check of the same name, and tests/Model/Backends/BackendConformanceTests.cs holds every backend to them.
/// <list type="bullet">
/// <item>Transfers: <see cref="IBackend.Upload{T}"/> and <see cref="IBackend.Download{T}"/> move exactly the span's
/// length between the span and the buffer's first elements; a span longer than the buffer is refused
/// (<see cref="ArgumentException"/>), a shorter one leaves the rest of the buffer (or nothing of the span) untouched.</item>
/// <item>Sizes: a negative count or dimension is refused (<see cref="ArgumentOutOfRangeException"/>); a buffer shorter than
/// the shape needs is refused (<see cref="ArgumentException"/> naming it). Longer buffers are fine: only the prefix is used.</item>
/// <item>Aliasing: an operation's outputs share no element with its inputs or with each other
/// (<see cref="ArgumentException"/>), except where the operation works in place (the activation's dY, dropout, weight
/// decay, an optimizer's parameters and state).</item>
/// <item>Arguments: a fused activation is ReLU or identity; Adam's step t starts at 1; dropout's p is in [0, 1); a pair loss is not the triplet loss. What a
/// buffer holds is not checked here (it may still be on the device): a gather index outside the table is the
/// backend's to refuse where it can.</item>
/// <item>Overwriting: outputs are overwritten, never accumulated into, so whatever they held before (garbage included)
/// does not change the result; gradients of weights and biases are overwritten too (one backward per step).</item>
/// </list>
/// </summary>
public static partial class BackendContract
{
    public static void Upload<T>(DeviceBuffer<T> dst, int count) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(dst);
        if (count > dst.Length) throw new ArgumentException($"upload of {count} elements into a buffer of {dst.Length}", nameof(dst));
    }

    public static void Download<T>(DeviceBuffer<T> src, int count) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(src);
        if (count > src.Length) throw new ArgumentException($"download of {count} elements from a buffer of {src.Length}", nameof(src));
    }

    /// <summary>A dense layer's or convolution's fused activation: ReLU or identity (sigmoid and tanh are layers of their own).</summary>
    static void Fused(Activation act)
    {
        if (act is not (Activation.Identity or Activation.Relu))
            throw new ArgumentOutOfRangeException(nameof(act), act, "a fused activation is ReLU or identity");
    }

    static void Sizes(params ReadOnlySpan<(int Value, string Name)> sizes)
    {
        foreach (var (value, name) in sizes)
            if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative");
    }

    static void Holds<T>(DeviceBuffer<T> buffer, long count, string name) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        if (buffer.Length < count)
            throw new ArgumentException($"{name} holds {buffer.Length} elements, the operation needs {count}", name);
    }

    /// <summary>The first <paramref name="count"/> elements of <paramref name="output"/> share none with the used part of each other buffer.</summary>
    static void Apart<T>(DeviceBuffer<T> output, long count, string outputName,
        params ReadOnlySpan<(DeviceBuffer<T> Buffer, long Count, string Name)> others) where T : unmanaged
    {
        foreach (var (other, otherCount, name) in others)
            if (ReferenceEquals(output.Storage, other.Storage) && count > 0 && otherCount > 0
                && output.StorageOffset < other.StorageOffset + otherCount && other.StorageOffset < output.StorageOffset + count)
                throw new ArgumentException($"{outputName} overlaps {name}: the operation's outputs must not share storage with its inputs", outputName);
    }
}
