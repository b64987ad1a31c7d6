using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// A layer's working memory on the device (e.g. a max-pool's winner indices, a batch norm's batch statistics), owned by
/// the <see cref="Network"/> and kept between passes: each buffer is allocated at the first pass and grows only when a
/// pass needs more (a larger batch or evaluation chunk), so a training run allocates it once per row count rather than
/// once per call.
/// </summary>
public sealed class LayerScratch(IBackend backend) : IDisposable
{
    DeviceBuffer<int>? _ints;
    readonly DeviceBuffer<float>?[] _floats = new DeviceBuffer<float>?[4];
    DeviceBuffer<float>? _zeros;

    /// <summary>A buffer of at least <paramref name="count"/> ints; its content is whatever the last pass left.</summary>
    public DeviceBuffer<int> Ints(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_ints is null || _ints.Length < count)
        {
            _ints?.Dispose();
            _ints = null;
            _ints = backend.Allocate<int>(Math.Max(1, count));
        }
        return _ints;
    }

    /// <summary>
    /// Float buffer number <paramref name="slot"/> (0–3) of at least <paramref name="count"/> floats; its content is
    /// whatever the last pass left (a batch norm's batch statistics, a bias-free convolution's unused bias gradient).
    /// </summary>
    public DeviceBuffer<float> Floats(int count, int slot = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var buffer = _floats[slot];
        if (buffer is null || buffer.Length < count)
        {
            buffer?.Dispose();
            _floats[slot] = null;
            _floats[slot] = buffer = backend.Allocate<float>(Math.Max(1, count));
        }
        return buffer;
    }

    /// <summary>At least <paramref name="count"/> zeros that nobody writes (a bias-free convolution's bias).</summary>
    public DeviceBuffer<float> Zeros(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_zeros is null || _zeros.Length < count)
        {
            _zeros?.Dispose();
            _zeros = null;
            _zeros = backend.Allocate<float>(Math.Max(1, count));
        }
        return _zeros;
    }

    public void Dispose()
    {
        _ints?.Dispose();
        _ints = null;
        for (int i = 0; i < _floats.Length; i++)
        {
            _floats[i]?.Dispose();
            _floats[i] = null;
        }
        _zeros?.Dispose();
        _zeros = null;
    }
}
