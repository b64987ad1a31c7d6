using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// A layer's working memory on the device (e.g. a max-pool's winner indices, a batch norm's batch statistics), owned by the <see cref="Network"/> and kept
/// between passes: it is allocated at the first pass and grows only when a pass needs more (a larger batch or evaluation
/// chunk), so a training run allocates it once per row count rather than once per call.
/// </summary>
public sealed class LayerScratch(IBackend backend) : IDisposable
{
    DeviceBuffer<int>? _ints;
    DeviceBuffer<float>? _floats;

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

    /// <summary>A buffer of at least <paramref name="count"/> floats (e.g. a batch norm's batch statistics for its backward pass).</summary>
    public DeviceBuffer<float> Floats(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_floats is null || _floats.Length < count)
        {
            _floats?.Dispose();
            _floats = null;
            _floats = backend.Allocate<float>(Math.Max(1, count));
        }
        return _floats;
    }

    public void Dispose()
    {
        _ints?.Dispose();
        _ints = null;
        _floats?.Dispose();
        _floats = null;
    }
}
