using System.Buffers;

namespace GpuSiamese.Data;

/// <summary>Area-averaging resize, the filter every image file goes through on its way to the network's input size.</summary>
public static class AreaResample
{
    /// <summary>
    /// Area-averaging resample of the crop (x0, y0, cw, ch) to tw x th: each target pixel is the mean of the source
    /// over the rectangle it covers, partial source pixels weighted by their overlap. Separable: rows, then columns.
    /// Only the result is allocated (the web page resizes two uploads per request; its scratch is rented).
    /// </summary>
    public static double[] Crop(ReadOnlySpan<float> src, int stride, int x0, int y0, int cw, int ch, int tw, int th)
    {
        var doubles = ArrayPool<double>.Shared;
        var ints = ArrayPool<int>.Shared;
        double[] horizontal = doubles.Rent(ch * tw);
        int[] colStart = ints.Rent(tw + 1), colIndex = ints.Rent(cw + 2 * tw), rowStart = ints.Rent(th + 1), rowIndex = ints.Rent(ch + 2 * th);
        double[] colWeight = doubles.Rent(cw + 2 * tw), rowWeight = doubles.Rent(ch + 2 * th);
        try
        {
            Coverage(cw, tw, colStart, colIndex, colWeight);
            for (int y = 0; y < ch; y++)
            {
                var row = src.Slice((y0 + y) * stride + x0, cw);
                for (int t = 0; t < tw; t++)
                {
                    double s = 0;
                    for (int e = colStart[t]; e < colStart[t + 1]; e++)
                        s += row[colIndex[e]] * colWeight[e];
                    horizontal[y * tw + t] = s;
                }
            }
            var result = new double[th * tw];
            Coverage(ch, th, rowStart, rowIndex, rowWeight);
            for (int t = 0; t < th; t++)
                for (int e = rowStart[t]; e < rowStart[t + 1]; e++)
                {
                    double wgt = rowWeight[e];
                    int r = rowIndex[e];
                    for (int x = 0; x < tw; x++)
                        result[t * tw + x] += horizontal[r * tw + x] * wgt;
                }
            return result;
        }
        finally
        {
            doubles.Return(horizontal);
            doubles.Return(colWeight);
            doubles.Return(rowWeight);
            ints.Return(colStart);
            ints.Return(colIndex);
            ints.Return(rowStart);
            ints.Return(rowIndex);
        }
    }

    /// <summary>
    /// For each of n target cells over m source cells: the source indices it overlaps and the normalised overlaps, target t's
    /// in index[start[t]..start[t+1]) and weight[…] (at most m + 2n entries in all: each target adds at most one cell it
    /// shares with the next).
    /// </summary>
    static void Coverage(int m, int n, int[] start, int[] index, double[] weight)
    {
        double step = (double)m / n;
        int e = 0;
        for (int t = 0; t < n; t++)
        {
            start[t] = e;
            double a = t * step, b = (t + 1) * step;
            int first = (int)Math.Floor(a), last = Math.Min(m - 1, (int)Math.Ceiling(b) - 1);
            for (int s = first; s <= last; s++)
            {
                double overlap = Math.Min(b, s + 1) - Math.Max(a, s);
                if (overlap > 1e-12)
                {
                    index[e] = s;
                    weight[e] = overlap / step;
                    e++;
                }
            }
        }
        start[n] = e;
    }
}
