using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Gathers batch rows from the device-resident image table (twin of <see cref="Reference.Gather"/>).</summary>
public static class Gather
{
    /// <summary>dst[r, c] = table[indices[r]·width + c]; units are the rows·width output elements, in order.</summary>
    public static void Rows(Index1D thread, ArrayView<float> table, ArrayView<int> indices, ArrayView<float> dst,
        int width, WorkSplit work)
    {
        for (int k = work.Begin(thread), end = work.End(thread); k < end; k++)
        {
            int r = k / width;
            dst[k] = table[(long)indices[r] * width + (k - r * width)];
        }
    }
}
