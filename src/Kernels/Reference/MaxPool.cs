namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// 2×2 max-pooling with stride 2 in double precision, channels last: X [n, h, w, c], Y [n, h/2, w/2, c]
/// (sizes rounded down: an odd last row or column is dropped, as PyTorch's MaxPool2d(2) does).
/// The winner of each window is remembered as its position 0..3 = 2·di + dj (first maximum in that order).
/// Every pass overwrites its outputs.
/// </summary>
public static class MaxPool
{
    /// <summary>Y[n,p,q,c] = max_{di,dj ∈ {0,1}} X[n, 2p+di, 2q+dj, c]; winner[n,p,q,c] = 2·di + dj of the first maximum.</summary>
    public static void Forward(double[] x, double[] y, int[] winner, int images, int height, int width, int channels)
    {
        int ph = height / 2, pw = width / 2;
        for (int n = 0; n < images; n++)
            for (int p = 0; p < ph; p++)
                for (int q = 0; q < pw; q++)
                    for (int c = 0; c < channels; c++)
                    {
                        double best = double.NegativeInfinity;
                        int at = 0;
                        for (int k = 0; k < 4; k++)
                        {
                            double v = x[((n * height + 2 * p + k / 2) * width + 2 * q + k % 2) * channels + c];
                            if (k == 0 || v > best) { best = v; at = k; }
                        }
                        int o = ((n * ph + p) * pw + q) * channels + c;
                        y[o] = best;
                        winner[o] = at;
                    }
    }

    /// <summary>dX[n,h,w,c] = dY[n,h/2,w/2,c] where (h,w) is its window's winner, else 0 (also in a dropped row or column).</summary>
    public static void Backward(double[] dy, int[] winner, double[] dx, int images, int height, int width, int channels)
    {
        int ph = height / 2, pw = width / 2;
        for (int n = 0; n < images; n++)
            for (int h = 0; h < height; h++)
                for (int v = 0; v < width; v++)
                    for (int c = 0; c < channels; c++)
                    {
                        int p = h / 2, q = v / 2;
                        double g = 0;
                        if (p < ph && q < pw)
                        {
                            int o = ((n * ph + p) * pw + q) * channels + c;
                            if (winner[o] == 2 * (h % 2) + v % 2) g = dy[o];
                        }
                        dx[((n * height + h) * width + v) * channels + c] = g;
                    }
    }

    /// <summary>
    /// The k×k / s / p pool of <see cref="PoolGeometry"/>: Y[n,oh,ow,c] = the maximum of the window's pixels inside the
    /// image; winner = i·k + j of the first maximum (rows, then columns).
    /// </summary>
    public static void WindowForward(double[] x, double[] y, int[] winner, PoolGeometry g)
    {
        for (int n = 0; n < g.Images; n++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                    for (int c = 0; c < g.Channels; c++)
                    {
                        double best = double.NegativeInfinity;
                        int at = -1;
                        for (int i = 0; i < g.Kernel; i++)
                            for (int j = 0; j < g.Kernel; j++)
                            {
                                int h = oh * g.Stride - g.Pad + i, v = ow * g.Stride - g.Pad + j;
                                if (h < 0 || h >= g.Height || v < 0 || v >= g.Width) continue;
                                double value = x[((n * g.Height + h) * g.Width + v) * g.Channels + c];
                                if (at < 0 || value > best) { best = value; at = i * g.Kernel + j; }
                            }
                        int o = ((n * g.OutHeight + oh) * g.OutWidth + ow) * g.Channels + c;
                        y[o] = best;
                        winner[o] = at;
                    }
    }

    /// <summary>
    /// dX[n,h,v,c] = Σ dY[n,oh,ow,c] over the windows (oh, ow) whose winner is pixel (h, v) (windows overlap when s &lt; k),
    /// 0 where none; dX is overwritten.
    /// </summary>
    public static void WindowBackward(double[] dy, int[] winner, double[] dx, PoolGeometry g)
    {
        Array.Clear(dx, 0, g.Images * g.InSize);
        for (int n = 0; n < g.Images; n++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                    for (int c = 0; c < g.Channels; c++)
                    {
                        int o = ((n * g.OutHeight + oh) * g.OutWidth + ow) * g.Channels + c;
                        int h = oh * g.Stride - g.Pad + winner[o] / g.Kernel, v = ow * g.Stride - g.Pad + winner[o] % g.Kernel;
                        dx[((n * g.Height + h) * g.Width + v) * g.Channels + c] += dy[o];
                    }
    }
}
