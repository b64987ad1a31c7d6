namespace GpuSiamese.Data;

/// <summary>
/// Images held compactly as 8-bit values with a class label each: image i is <see cref="Shape"/>.Size bytes at
/// i·Size in <see cref="Pixels"/>, laid out as <see cref="ImageShape"/> says; labels index a dataset's class names.
/// What the network sees is made from these bytes by the dataset's <see cref="Preprocessing"/>.
/// </summary>
public sealed class LabelledImages
{
    public ImageShape Shape { get; }
    public byte[] Pixels { get; }
    public int[] Labels { get; }
    public int Count => Labels.Length;

    public LabelledImages(ImageShape shape, byte[] pixels, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixels.LongLength != (long)labels.Length * shape.Size)
            throw new ArgumentException($"expected {labels.Length}·{shape.Size} bytes for {labels.Length} images of {shape}, got {pixels.LongLength}", nameof(pixels));
        foreach (int l in labels)
            if (l < 0)
                throw new ArgumentException($"class labels must be 0 or more, found {l}", nameof(labels));
        Shape = shape;
        Pixels = pixels;
        Labels = labels;
    }

    /// <summary>The bytes of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Shape.Size, Shape.Size);

    /// <summary>A new set holding copies of the images at <paramref name="indices"/>, in that order.</summary>
    public LabelledImages Subset(ReadOnlySpan<int> indices)
    {
        int size = Shape.Size;
        var pixels = new byte[(long)indices.Length * size];
        var labels = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"index outside 0..{Count - 1}");
            Pixels.AsSpan(i * size, size).CopyTo(pixels.AsSpan(k * size));
            labels[k] = Labels[i];
        }
        return new LabelledImages(Shape, pixels, labels);
    }

    /// <summary>Image indices grouped by class: result[c] lists the images labelled c, ascending (empty for classes with none).</summary>
    public int[][] IndicesByClass(int classCount) => ClassIndex.Group(Labels, classCount);
}
