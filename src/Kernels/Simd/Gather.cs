using System.Runtime.CompilerServices;
namespace GpuSiamese.Kernels.Simd;

/// <summary>Gathers batch rows from an image table (<see cref="Reference.Gather"/>).</summary>
public static unsafe class Gather
{
    /// <summary>
    /// dst[r, c] = table[indices[r], c] for rowStart ≤ r &lt; rowEnd, c &lt; width. An index outside
    /// 0..tableRows-1 throws instead of reading outside the table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(float* table, int tableRows, int* indices, float* dst, int rowStart, int rowEnd, int width)
    {
        long bytes = (long)width * sizeof(float);
        for (int r = rowStart; r < rowEnd; r++)
        {
            int i = indices[r];
            if ((uint)i >= (uint)tableRows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} at position {r} is outside the table's {tableRows} rows");
            // A row is a contiguous block: the runtime's copy is already vectorised.
            Buffer.MemoryCopy(table + (long)i * width, dst + (long)r * width, bytes, bytes);
        }
    }

    /// <summary>
    /// dst[r, c] = table[indices[r], c] / 255f for rowStart ≤ r &lt; rowEnd, c &lt; width, from an 8-bit table
    /// (<see cref="Reference.Gather.RowsFromBytes"/>); the float quotient equals (float)(b / 255.0) for every byte.
    /// An index outside 0..tableRows-1 throws instead of reading outside the table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowsFromBytes(byte* table, int tableRows, int* indices, float* dst, int rowStart, int rowEnd, int width)
    {
        for (int r = rowStart; r < rowEnd; r++)
        {
            int i = indices[r];
            if ((uint)i >= (uint)tableRows)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} at position {r} is outside the table's {tableRows} rows");
            byte* src = table + (long)i * width;
            float* d = dst + (long)r * width;
            // The JIT widens and converts this loop well enough: a gather is a small part of a step next to the layers.
            for (int c = 0; c < width; c++)
                d[c] = src[c] / 255f;
        }
    }
}
