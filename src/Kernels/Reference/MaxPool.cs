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
}
