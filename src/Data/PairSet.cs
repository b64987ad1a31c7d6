namespace GpuSiamese.Data;

/// <summary>A fixed set of image pairs: pair p is images Left[p] and Right[p] of one image set, label 0 = same digit, 1 = different.</summary>
public sealed class PairSet
{
    public int Count { get; }
    public int[] Left { get; }
    public int[] Right { get; }
    public int[] Labels { get; }

    public PairSet(int[] left, int[] right, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(labels);
        if (right.Length != left.Length || labels.Length != left.Length)
            throw new ArgumentException($"left, right and labels must have one length, got {left.Length}, {right.Length}, {labels.Length}");
        Count = left.Length;
        Left = left;
        Right = right;
        Labels = labels;
    }

    /// <summary>Whether the set holds both same-class and different-class pairs, as a ROC over it needs.</summary>
    public bool HasBothKinds => Labels.Contains(PairSampler.Same) && Labels.Contains(PairSampler.Different);

    /// <summary>The pixels of every pair as <see cref="PairArrays"/> (left image, then right image, 196 floats each), e.g. to save as .npy.</summary>
    public PairArrays ToArrays(ImageSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var pixels = new float[Count * PairArrays.PairSize];
        for (int p = 0; p < Count; p++)
        {
            set.Image(Left[p]).CopyTo(pixels.AsSpan(p * PairArrays.PairSize));
            set.Image(Right[p]).CopyTo(pixels.AsSpan(p * PairArrays.PairSize + ImageSet.Size));
        }
        return new PairArrays(pixels, (int[])Labels.Clone());
    }
}
