using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// Images uploaded once to a backend as a [Count, Width] row-major table; batches are gathered from it by index on the
/// device, so a training step moves only indices and labels. A set held as bytes (<see cref="ImageSet.Bytes"/>) stays
/// 8-bit on the device — a quarter of the memory — and each value becomes value/255 in the gather
/// (<see cref="IBackend.GatherRowsFromBytes"/>); a set held as floats is a float table.
/// </summary>
public sealed class ImageTable : IDisposable
{
    readonly IBackend _backend;
    readonly DeviceBuffer<float>? _floats;
    readonly DeviceBuffer<byte>? _bytes;

    /// <summary>A float table of rows <paramref name="width"/> wide.</summary>
    public ImageTable(IBackend backend, ReadOnlySpan<float> pixels, int width)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (width < 1 || pixels.Length == 0 || pixels.Length % width != 0)
            throw new ArgumentException($"an image table needs a positive multiple of {width} pixels, got {pixels.Length}", nameof(pixels));
        _backend = backend;
        Width = width;
        Count = pixels.Length / width;
        _floats = backend.Allocate<float>(pixels.Length);
        backend.Upload(_floats, pixels);
    }

    /// <summary>An 8-bit table of rows <paramref name="width"/> wide (input = value/255).</summary>
    public ImageTable(IBackend backend, ReadOnlySpan<byte> values, int width)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (width < 1 || values.Length == 0 || values.Length % width != 0)
            throw new ArgumentException($"an image table needs a positive multiple of {width} values, got {values.Length}", nameof(values));
        _backend = backend;
        Width = width;
        Count = values.Length / width;
        _bytes = backend.Allocate<byte>(values.Length);
        backend.Upload(_bytes, values);
    }

    /// <summary>The images of <paramref name="set"/>, as floats or bytes as the set holds them.</summary>
    public static ImageTable Of(IBackend backend, ImageSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Bytes is { } bytes ? new ImageTable(backend, bytes, set.ImageSize) : new ImageTable(backend, set.Pixels, set.ImageSize);
    }

    public int Count { get; }

    /// <summary>Values per image.</summary>
    public int Width { get; }

    /// <summary>True when the table holds 8-bit values.</summary>
    public bool HoldsBytes => _bytes is not null;

    /// <summary>Rows 0..rows−1 of <paramref name="dst"/> ← the images <paramref name="indices"/>[0..rows−1] as floats (indices already checked).</summary>
    public void Gather(DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows)
    {
        if (_bytes is not null)
            _backend.GatherRowsFromBytes(_bytes, indices, dst, rows, Width);
        else
            _backend.GatherRows(_floats!, indices, dst, rows, Width);
    }

    public void Dispose()
    {
        _floats?.Dispose();
        _bytes?.Dispose();
    }
}
