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
}
