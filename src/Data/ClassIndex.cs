namespace GpuSiamese.Data;

/// <summary>Grouping of item indices by their class label, the form every sampler and protocol works from.</summary>
public static class ClassIndex
{
    /// <summary>result[c] lists the positions i with labels[i] == c, ascending; labels must lie in 0..classCount-1.</summary>
    public static int[][] Group(ReadOnlySpan<int> labels, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var counts = new int[classCount];
        foreach (int l in labels)
        {
            if ((uint)l >= (uint)classCount)
                throw new ArgumentException($"class label {l} outside 0..{classCount - 1}", nameof(labels));
            counts[l]++;
        }
        var byClass = new int[classCount][];
        for (int c = 0; c < classCount; c++)
            byClass[c] = new int[counts[c]];
        var fill = new int[classCount];
        for (int i = 0; i < labels.Length; i++)
            byClass[labels[i]][fill[labels[i]]++] = i;
        return byClass;
    }

    /// <summary>The same grouping for byte labels (MNIST's digits).</summary>
    public static int[][] Group(ReadOnlySpan<byte> labels, int classCount)
    {
        var wide = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            wide[i] = labels[i];
        return Group(wide, classCount);
    }
}
