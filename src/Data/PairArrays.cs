namespace GpuSiamese.Data;

/// <summary>
/// Pairs as pixels rather than indices (what a .npy pair set holds): pair p's left image at p·392 in
/// <see cref="Pixels"/>, its right image at p·392 + 196; labels 0 = same digit, 1 = different.
/// </summary>
public sealed class PairArrays
{
    public const int PairSize = 2 * ImageSet.Size;

    public int Count { get; }
    public float[] Pixels { get; }
    public int[] Labels { get; }

    public PairArrays(float[] pixels, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixels.Length != (long)labels.Length * PairSize)
            throw new ArgumentException($"expected {labels.Length}·{PairSize} pixels for {labels.Length} labels, got {pixels.Length}", nameof(pixels));
        Count = labels.Length;
        Pixels = pixels;
        Labels = labels;
    }
}
