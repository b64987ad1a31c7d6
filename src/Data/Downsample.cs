namespace GpuSiamese.Data;

/// <summary>The exact 2x2 mean pool from 28x28 bytes to the network's 14x14 floats.</summary>
public static class Downsample
{
    /// <summary>
    /// out[r,c] = (float)((p[2r,2c] + p[2r,2c+1] + p[2r+1,2c] + p[2r+1,2c+1]) / 1020.0), the sum taken in
    /// integers and divided once in double, so any language reproduces it bit for bit.
    /// </summary>
    public static void Pool(ReadOnlySpan<byte> raw28, Span<float> out14)
    {
        if (raw28.Length != ImageSet.RawSize)
            throw new ArgumentException($"expected {ImageSet.RawSize} bytes, got {raw28.Length}", nameof(raw28));
        if (out14.Length != ImageSet.Size)
            throw new ArgumentException($"expected {ImageSet.Size} floats, got {out14.Length}", nameof(out14));
        for (int r = 0; r < ImageSet.Side; r++)
        {
            var top = raw28.Slice(2 * r * ImageSet.RawSide, ImageSet.RawSide);
            var bottom = raw28.Slice((2 * r + 1) * ImageSet.RawSide, ImageSet.RawSide);
            var row = out14.Slice(r * ImageSet.Side, ImageSet.Side);
            for (int c = 0; c < ImageSet.Side; c++)
            {
                int sum = top[2 * c] + top[2 * c + 1] + bottom[2 * c] + bottom[2 * c + 1];
                row[c] = (float)(sum / 1020.0);
            }
        }
    }

    /// <summary>The same pool applied to a float 28x28 image in [0,1]: out = (float)(sum of four / 4.0), summed in double.</summary>
    public static void Pool(ReadOnlySpan<float> image28, Span<float> out14)
    {
        if (image28.Length != ImageSet.RawSize)
            throw new ArgumentException($"expected {ImageSet.RawSize} floats, got {image28.Length}", nameof(image28));
        if (out14.Length != ImageSet.Size)
            throw new ArgumentException($"expected {ImageSet.Size} floats, got {out14.Length}", nameof(out14));
        for (int r = 0; r < ImageSet.Side; r++)
            for (int c = 0; c < ImageSet.Side; c++)
            {
                int i = 2 * r * ImageSet.RawSide + 2 * c;
                double sum = (double)image28[i] + image28[i + 1] + image28[i + ImageSet.RawSide] + image28[i + ImageSet.RawSide + 1];
                out14[r * ImageSet.Side + c] = (float)(sum / 4.0);
            }
    }

    /// <summary>Pools <paramref name="count"/> consecutive 28x28 images, in parallel over images.</summary>
    public static float[] PoolAll(byte[] raw, int count)
    {
        if (raw.Length != (long)count * ImageSet.RawSize)
            throw new ArgumentException($"expected {count}·{ImageSet.RawSize} bytes, got {raw.Length}", nameof(raw));
        var pixels = new float[count * ImageSet.Size];
        const int chunk = 2048;
        if (count <= chunk)
        {
            for (int i = 0; i < count; i++)
                Pool(raw.AsSpan(i * ImageSet.RawSize, ImageSet.RawSize), pixels.AsSpan(i * ImageSet.Size, ImageSet.Size));
            return pixels;
        }
        Parallel.For(0, (count + chunk - 1) / chunk, b =>
        {
            int end = Math.Min(count, (b + 1) * chunk);
            for (int i = b * chunk; i < end; i++)
                Pool(raw.AsSpan(i * ImageSet.RawSize, ImageSet.RawSize), pixels.AsSpan(i * ImageSet.Size, ImageSet.Size));
        });
        return pixels;
    }
}
