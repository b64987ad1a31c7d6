using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// Images uploaded once to a backend as a [Count, 196] row-major table; batches are gathered from it by
/// index on the device, so a training step moves only indices and labels.
/// </summary>
public sealed class ImageTable : IDisposable
{
    public ImageTable(IBackend backend, ReadOnlySpan<float> pixels)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (pixels.Length == 0 || pixels.Length % ImageSet.Size != 0)
            throw new ArgumentException($"an image table needs a positive multiple of {ImageSet.Size} pixels, got {pixels.Length}", nameof(pixels));
        Count = pixels.Length / ImageSet.Size;
        Pixels = backend.Allocate<float>(pixels.Length);
        backend.Upload(Pixels, pixels);
    }

    public ImageTable(IBackend backend, ImageSet set) : this(backend, (set ?? throw new ArgumentNullException(nameof(set))).Pixels)
    {
    }

    public int Count { get; }

    public DeviceBuffer<float> Pixels { get; }

    public void Dispose() => Pixels.Dispose();
}
