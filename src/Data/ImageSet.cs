namespace GpuSiamese.Data;

/// <summary>
/// Labelled images as the network reads them: <see cref="Shape"/> (channels last, <see cref="ImageShape"/>) values per
/// image in [0,1], of <see cref="ClassCount"/> classes. Held either as floats (<see cref="Pixels"/>, image i at
/// i·<see cref="ImageSize"/>; MNIST's exact 2x2 pool to 14x14 gives values no byte holds) or compactly as 8-bit values
/// (<see cref="Bytes"/>, the input being value/255 — a quarter of the memory, on the host and in the device's
/// <c>ImageTable</c>). <see cref="Raw28"/> keeps the original 28x28 grey bytes when known (augmentation works on them).
/// MNIST's sets are 1x14x14 floats of the ten digits.
/// </summary>
public sealed class ImageSet
{
    public const int Side = 14;
    public const int Size = Side * Side;
    public const int RawSide = 28;
    public const int RawSize = RawSide * RawSide;

    /// <summary>MNIST's input shape: one grey 14x14 image.</summary>
    public static ImageShape DigitShape { get; } = new(1, Side, Side);

    readonly float[]? _pixels;

    /// <summary>MNIST's digits: 1x14x14 floats, labels 0..9.</summary>
    public ImageSet(float[] pixels, byte[] labels, byte[]? raw28 = null)
        : this(DigitShape, 10, pixels ?? throw new ArgumentNullException(nameof(pixels)), null, Widen(labels), raw28)
    {
        foreach (byte l in labels)
            if (l > 9)
                throw new ArgumentException($"labels must be digits 0..9, found {l}", nameof(labels));
    }

    ImageSet(ImageShape shape, int classCount, float[]? pixels, byte[]? bytes, int[] labels, byte[]? raw28)
    {
        ArgumentNullException.ThrowIfNull(labels);
        shape.Validate("image set");
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        long expected = (long)labels.Length * shape.Size;
        if (pixels is not null && pixels.LongLength != expected)
            throw new ArgumentException($"expected {labels.Length}·{shape.Size} pixels for {labels.Length} labels, got {pixels.LongLength}", nameof(pixels));
        if (bytes is not null && bytes.LongLength != expected)
            throw new ArgumentException($"expected {labels.Length}·{shape.Size} bytes for {labels.Length} labels, got {bytes.LongLength}", nameof(bytes));
        if (raw28 is not null && raw28.LongLength != (long)labels.Length * RawSize)
            throw new ArgumentException($"expected {labels.Length}·{RawSize} raw pixels, got {raw28.LongLength}", nameof(raw28));
        foreach (int l in labels)
            if ((uint)l >= (uint)classCount)
                throw new ArgumentException($"class labels must lie in 0..{classCount - 1}, found {l}", nameof(labels));
        Shape = shape;
        ClassCount = classCount;
        Count = labels.Length;
        _pixels = pixels;
        Bytes = bytes;
        Labels = labels;
        Raw28 = raw28;
    }

    /// <summary>Images held as floats in [0,1]; <paramref name="raw28"/>, when given, their 28x28 grey originals.</summary>
    public static ImageSet FromFloats(ImageShape shape, int classCount, float[] pixels, int[] labels, byte[]? raw28 = null) =>
        new(shape, classCount, pixels ?? throw new ArgumentNullException(nameof(pixels)), null, labels, raw28);

    /// <summary>Images held as 8-bit values whose input is value/255 (the array is kept, not copied).</summary>
    public static ImageSet FromBytes(ImageShape shape, int classCount, byte[] bytes, int[] labels) =>
        new(shape, classCount, null, bytes ?? throw new ArgumentNullException(nameof(bytes)), labels, null);

    /// <summary>The shape of one image as the network reads it.</summary>
    public ImageShape Shape { get; }

    /// <summary>Values per image: <see cref="Shape"/>.Size (196 for MNIST).</summary>
    public int ImageSize => Shape.Size;

    public int ClassCount { get; }

    public int Count { get; }

    /// <summary>The images as floats, Count·ImageSize; a set held as bytes has none (<see cref="Bytes"/>; <see cref="CopyImage"/> reads either).</summary>
    public float[] Pixels => _pixels ?? throw new InvalidOperationException("this image set holds its images as bytes (Bytes), not floats");

    /// <summary>The images as 8-bit values (input = value/255), Count·ImageSize; null for a set held as floats.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Class labels, 0..ClassCount−1.</summary>
    public int[] Labels { get; }

    public byte[]? Raw28 { get; }

    /// <summary>The input values of image <paramref name="index"/> into <paramref name="destination"/> (ImageSize floats).</summary>
    public void CopyImage(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index outside 0..{Count - 1}");
        int size = ImageSize;
        if (destination.Length < size)
            throw new ArgumentException($"expected room for {size} values, got {destination.Length}", nameof(destination));
        if (_pixels is not null)
        {
            _pixels.AsSpan(index * size, size).CopyTo(destination);
            return;
        }
        var bytes = Bytes.AsSpan(index * size, size);
        for (int i = 0; i < size; i++)
            destination[i] = ByteToInput(bytes[i]);
    }

    /// <summary>The input values of image <paramref name="index"/>, a new array.</summary>
    public float[] ImageAt(int index)
    {
        var image = new float[ImageSize];
        CopyImage(index, image);
        return image;
    }

    /// <summary>The input values of every image, Count·ImageSize floats: <see cref="Pixels"/> itself, or the bytes converted.</summary>
    public float[] ToFloats()
    {
        if (_pixels is not null) return _pixels;
        var result = new float[(long)Count * ImageSize];
        var bytes = Bytes!;
        Parallel.For(0, (result.Length + 65535) / 65536, b =>
        {
            int end = (int)Math.Min(result.LongLength, (long)(b + 1) * 65536);
            for (int i = b * 65536; i < end; i++)
                result[i] = ByteToInput(bytes[i]);
        });
        return result;
    }

    /// <summary>
    /// The input value of a stored byte: (float)(b / 255.0), the quotient taken in double and rounded once, which for
    /// every byte equals the float quotient b / 255f that the device's gather computes (checked for all 256 values in the tests).
    /// </summary>
    public static float ByteToInput(byte value) => (float)(value / 255.0);

    /// <summary>The 196 pixels of image <paramref name="index"/> of a set held as floats.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    /// <summary>A new set holding copies of the images at <paramref name="indices"/>, in that order.</summary>
    public ImageSet Subset(ReadOnlySpan<int> indices)
    {
        int size = ImageSize;
        var pixels = _pixels is null ? null : new float[indices.Length * size];
        var bytes = Bytes is null ? null : new byte[indices.Length * size];
        var labels = new int[indices.Length];
        byte[]? raw = Raw28 is null ? null : new byte[indices.Length * RawSize];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"index outside 0..{Count - 1}");
            if (pixels is not null) _pixels.AsSpan(i * size, size).CopyTo(pixels.AsSpan(k * size));
            if (bytes is not null) Bytes.AsSpan(i * size, size).CopyTo(bytes.AsSpan(k * size));
            labels[k] = Labels[i];
            Raw28?.AsSpan(i * RawSize, RawSize).CopyTo(raw.AsSpan(k * RawSize));
        }
        return new ImageSet(Shape, ClassCount, pixels, bytes, labels, raw);
    }

    /// <summary>
    /// The same images without the 28x28 originals (arrays shared, nothing copied): only augmentation reads them,
    /// and 60,000 of them are 47 MB that a run without augmentation need not keep.
    /// </summary>
    public ImageSet WithoutRaw28() => Raw28 is null ? this : new ImageSet(Shape, ClassCount, _pixels, Bytes, Labels, null);

    /// <summary>How many images of each class.</summary>
    public int[] CountsPerClass()
    {
        var counts = new int[ClassCount];
        foreach (int l in Labels)
            counts[l]++;
        return counts;
    }

    /// <summary>Image indices grouped by class: result[c] lists the images labelled c, ascending.</summary>
    public int[][] IndicesByClass() => ClassIndex.Group(Labels, ClassCount);

    static int[] Widen(byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var wide = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            wide[i] = labels[i];
        return wide;
    }
}
