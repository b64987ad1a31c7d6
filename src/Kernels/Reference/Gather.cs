namespace GpuSiamese.Kernels.Reference;

/// <summary>Gathers batch rows from an image table.</summary>
public static class Gather
{
    /// <summary>dst[r, c] = table[indices[r], c] for r &lt; rows, c &lt; width.</summary>
    public static void Rows(double[] table, int[] indices, double[] dst, int rows, int width)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < width; c++)
                dst[r * width + c] = table[(long)indices[r] * width + c];
    }

    /// <summary>
    /// dst[r, c] = table[indices[r], c] / 255 for r &lt; rows, c &lt; width: rows of an 8-bit image table (the images held
    /// compactly, a quarter of the floats' memory) made the network's input in [0,1] as they are gathered.
    /// </summary>
    public static void RowsFromBytes(byte[] table, int[] indices, double[] dst, int rows, int width)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < width; c++)
                dst[r * width + c] = table[(long)indices[r] * width + c] / 255.0;
    }
}
