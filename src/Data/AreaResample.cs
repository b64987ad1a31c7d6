namespace GpuSiamese.Data;

/// <summary>Area-averaging resize, the filter every image file goes through on its way to the network's input size.</summary>
public static class AreaResample
{
    /// <summary>
    /// Area-averaging resample of the crop (x0, y0, cw, ch) to tw x th: each target pixel is the mean of the source
    /// over the rectangle it covers, partial source pixels weighted by their overlap. Separable: rows, then columns.
    /// </summary>
    public static double[] Crop(ReadOnlySpan<float> src, int stride, int x0, int y0, int cw, int ch, int tw, int th)
    {
        var horizontal = new double[ch * tw];
        var (cols, colWeights) = Coverage(cw, tw);
        for (int y = 0; y < ch; y++)
        {
            var row = src.Slice((y0 + y) * stride + x0, cw);
            for (int t = 0; t < tw; t++)
            {
                double s = 0;
                for (int k = 0; k < cols[t].Length; k++)
                    s += row[cols[t][k]] * colWeights[t][k];
                horizontal[y * tw + t] = s;
            }
        }
        var result = new double[th * tw];
        var (rows, rowWeights) = Coverage(ch, th);
        for (int t = 0; t < th; t++)
            for (int k = 0; k < rows[t].Length; k++)
            {
                double wgt = rowWeights[t][k];
                int r = rows[t][k];
                for (int x = 0; x < tw; x++)
                    result[t * tw + x] += horizontal[r * tw + x] * wgt;
            }
        return result;
    }

    /// <summary>For each of n target cells over m source cells: the source indices it overlaps and the normalised overlaps.</summary>
    static (int[][] Index, double[][] Weight) Coverage(int m, int n)
    {
        var index = new int[n][];
        var weight = new double[n][];
        double step = (double)m / n;
        for (int t = 0; t < n; t++)
        {
            double a = t * step, b = (t + 1) * step;
            int first = (int)Math.Floor(a), last = Math.Min(m - 1, (int)Math.Ceiling(b) - 1);
            var idx = new List<int>();
            var wts = new List<double>();
            for (int s = first; s <= last; s++)
            {
                double overlap = Math.Min(b, s + 1) - Math.Max(a, s);
                if (overlap > 1e-12)
                {
                    idx.Add(s);
                    wts.Add(overlap / step);
                }
            }
            index[t] = [.. idx];
            weight[t] = [.. wts];
        }
        return (index, weight);
    }
}
