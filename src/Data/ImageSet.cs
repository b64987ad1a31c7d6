namespace GpuSiamese.Data;

/// <summary>
/// Labelled 14x14 digit images, the network's input: <see cref="Pixels"/> holds Count·196 floats in [0,1],
/// image i at i·196, row-major. <see cref="Raw28"/> keeps the original 28x28 bytes when known (augmentation
/// works on them).
/// </summary>
public sealed class ImageSet
{
    public const int Side = 14;
    public const int Size = Side * Side;
    public const int RawSide = 28;
    public const int RawSize = RawSide * RawSide;

    public int Count { get; }
    public float[] Pixels { get; }
    public byte[] Labels { get; }
    public byte[]? Raw28 { get; }

    public ImageSet(float[] pixels, byte[] labels, byte[]? raw28 = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixels.Length != labels.Length * Size)
            throw new ArgumentException($"expected {labels.Length}·{Size} pixels for {labels.Length} labels, got {pixels.Length}", nameof(pixels));
        if (raw28 is not null && raw28.Length != labels.Length * RawSize)
            throw new ArgumentException($"expected {labels.Length}·{RawSize} raw pixels, got {raw28.Length}", nameof(raw28));
        foreach (byte l in labels)
            if (l > 9)
                throw new ArgumentException($"labels must be digits 0..9, found {l}", nameof(labels));
        Count = labels.Length;
        Pixels = pixels;
        Labels = labels;
        Raw28 = raw28;
    }

    /// <summary>The 196 pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * Size, Size);

    /// <summary>A new set holding copies of the images at <paramref name="indices"/>, in that order.</summary>
    public ImageSet Subset(ReadOnlySpan<int> indices)
    {
        var pixels = new float[indices.Length * Size];
        var labels = new byte[indices.Length];
        byte[]? raw = Raw28 is null ? null : new byte[indices.Length * RawSize];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"index outside 0..{Count - 1}");
            Pixels.AsSpan(i * Size, Size).CopyTo(pixels.AsSpan(k * Size));
            labels[k] = Labels[i];
            Raw28?.AsSpan(i * RawSize, RawSize).CopyTo(raw.AsSpan(k * RawSize));
        }
        return new ImageSet(pixels, labels, raw);
    }

    /// <summary>
    /// The same images without the 28x28 originals (arrays shared, nothing copied): only augmentation reads them,
    /// and 60,000 of them are 47 MB that a run without augmentation need not keep.
    /// </summary>
    public ImageSet WithoutRaw28() => Raw28 is null ? this : new ImageSet(Pixels, Labels);

    /// <summary>How many images of each digit 0..9.</summary>
    public int[] CountsPerDigit()
    {
        var counts = new int[10];
        foreach (byte l in Labels)
            counts[l]++;
        return counts;
    }

    /// <summary>Image indices grouped by digit: result[d] lists the images labelled d, ascending.</summary>
    public int[][] IndicesByDigit()
    {
        var counts = CountsPerDigit();
        var byDigit = new int[10][];
        for (int d = 0; d < 10; d++)
            byDigit[d] = new int[counts[d]];
        var fill = new int[10];
        for (int i = 0; i < Count; i++)
        {
            int d = Labels[i];
            byDigit[d][fill[d]++] = i;
        }
        return byDigit;
    }
}
