using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Training;

/// <summary>
/// The batch's images into the network's input rows: gathered on the device from the training table by index, or,
/// with augmentation, each image transformed afresh on the host (drawing from <see cref="Rng"/>) and uploaded — from
/// its 28x28 original before the pool when the set keeps originals at MNIST's 1x14x14, else the input image itself
/// (<see cref="Augmenter"/>). Indices are checked here, since the device gather does not check bounds.
/// </summary>
public sealed class BatchInput : IDisposable
{
    readonly IBackend _backend;
    readonly ImageSet _train;
    readonly DeviceBuffer<int> _indices;
    readonly Augmenter? _augmenter;
    readonly float[]? _augmented, _image;
    readonly bool _fromOriginals;

    public BatchInput(IBackend backend, ImageTable table, ImageSet train, int maxRows, Augmenter? augmenter, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(rng);
        _backend = backend;
        Table = table;
        _train = train;
        _indices = backend.Allocate<int>(maxRows);
        _augmenter = augmenter;
        _fromOriginals = train.Raw28 is not null && train.Shape == ImageSet.DigitShape;
        _augmented = augmenter is null ? null : new float[maxRows * train.ImageSize];
        _image = augmenter is null || _fromOriginals ? null : new float[train.ImageSize];
        Rng = rng;
    }

    /// <summary>The training images on the device.</summary>
    public ImageTable Table { get; }

    /// <summary>The training images on the host (their classes are what mining compares).</summary>
    public ImageSet Images => _train;

    /// <summary>The generator augmentation draws from; a resumed run replaces it with the saved one.</summary>
    public Rng Rng { get; set; }

    /// <summary>Throws an ArgumentException naming the first row whose image is outside the training table.</summary>
    public void Check(ReadOnlySpan<int> images)
    {
        for (int r = 0; r < images.Length; r++)
            if ((uint)images[r] >= (uint)Table.Count)
                throw new ArgumentException($"batch row {r} refers to image {images[r]}, outside the {Table.Count} training images");
    }

    /// <summary>Rows of <paramref name="input"/> ← the images <paramref name="images"/> (already checked).</summary>
    public void Load(ReadOnlySpan<int> images, DeviceBuffer<float> input)
    {
        int rows = images.Length;
        if (_augmenter is null)
        {
            _backend.Upload(_indices.Slice(0, rows), images);
            Table.Gather(_indices, input, rows);
            return;
        }
        int size = _train.ImageSize;
        for (int r = 0; r < rows; r++)
        {
            var row = _augmented.AsSpan(r * size, size);
            if (_fromOriginals)
                _augmenter.Augment(_train.Raw28.AsSpan(images[r] * ImageSet.RawSize, ImageSet.RawSize), row, Rng);
            else
            {
                _train.CopyImage(images[r], _image);
                _augmenter.AugmentImage(_image, _train.Shape, row, Rng);
            }
        }
        _backend.Upload(input.Slice(0, rows * size), _augmented.AsSpan(0, rows * size));
    }

    public void Dispose() => _indices.Dispose();
}
