namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// k×k convolution with stride s in double precision, computed directly from its definition (no lowering to a
/// product). Layouts are <see cref="Conv2dGeometry"/>'s: X [n, h, w, c], Y [n, oh, ow, o], W [i, j, c, o], b [o].
/// Output pixel (oh, ow) reads input (oh·s + i − top, ow·s + j − left); input pixels outside the image (the padding)
/// are zero. Every pass overwrites its outputs.
/// </summary>
public static class Conv2d
{
    /// <summary>Y[n,oh,ow,o] = act(b[o] + Σ_{i,j,c} X[n, oh·s+i−top, ow·s+j−left, c]·W[i,j,c,o]).</summary>
    public static void Forward(double[] x, double[] w, double[] b, double[] y, Conv2dGeometry g, Activation act)
    {
        for (int n = 0; n < g.Images; n++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                    for (int o = 0; o < g.OutChannels; o++)
                    {
                        double s = b[o];
                        for (int i = 0; i < g.Kernel; i++)
                            for (int j = 0; j < g.Kernel; j++)
                            {
                                int h = oh * g.Stride + i - g.PadTop, v = ow * g.Stride + j - g.PadLeft;
                                if (h < 0 || h >= g.Height || v < 0 || v >= g.Width) continue;
                                for (int c = 0; c < g.InChannels; c++)
                                    s += x[XAt(g, n, h, v, c)] * w[WAt(g, i, j, c, o)];
                            }
                        y[YAt(g, n, oh, ow, o)] = act == Activation.Relu ? Math.Max(s, 0.0) : s;
                    }
    }

    /// <summary>dX[n,h,v,c] = Σ_{i,j,o} dY[n, (h+top−i)/s, (v+left−j)/s, o]·W[i,j,c,o] over the output pixels that exist (the divisions exact).</summary>
    public static void BackwardData(double[] dy, double[] w, double[] dx, Conv2dGeometry g)
    {
        for (int n = 0; n < g.Images; n++)
            for (int h = 0; h < g.Height; h++)
                for (int v = 0; v < g.Width; v++)
                    for (int c = 0; c < g.InChannels; c++)
                    {
                        double s = 0;
                        for (int i = 0; i < g.Kernel; i++)
                            for (int j = 0; j < g.Kernel; j++)
                            {
                                int ph = h + g.PadTop - i, pw = v + g.PadLeft - j;
                                if (ph < 0 || pw < 0 || ph % g.Stride != 0 || pw % g.Stride != 0) continue;
                                int oh = ph / g.Stride, ow = pw / g.Stride;
                                if (oh >= g.OutHeight || ow >= g.OutWidth) continue;
                                for (int o = 0; o < g.OutChannels; o++)
                                    s += dy[YAt(g, n, oh, ow, o)] * w[WAt(g, i, j, c, o)];
                            }
                        dx[XAt(g, n, h, v, c)] = s;
                    }
    }

    /// <summary>
    /// dW[i,j,c,o] = Σ_{n,oh,ow} X[n, oh·s+i−top, ow·s+j−left, c]·dY[n,oh,ow,o] (padding pixels add nothing);
    /// db[o] = Σ_{n,oh,ow} dY[n,oh,ow,o].
    /// </summary>
    public static void BackwardWeights(double[] x, double[] dy, double[] dw, double[] db, Conv2dGeometry g)
    {
        for (int i = 0; i < g.Kernel; i++)
            for (int j = 0; j < g.Kernel; j++)
                for (int c = 0; c < g.InChannels; c++)
                    for (int o = 0; o < g.OutChannels; o++)
                    {
                        double s = 0;
                        for (int n = 0; n < g.Images; n++)
                            for (int oh = 0; oh < g.OutHeight; oh++)
                                for (int ow = 0; ow < g.OutWidth; ow++)
                                {
                                    int h = oh * g.Stride + i - g.PadTop, v = ow * g.Stride + j - g.PadLeft;
                                    if (h < 0 || h >= g.Height || v < 0 || v >= g.Width) continue;
                                    s += x[XAt(g, n, h, v, c)] * dy[YAt(g, n, oh, ow, o)];
                                }
                        dw[WAt(g, i, j, c, o)] = s;
                    }
        for (int o = 0; o < g.OutChannels; o++)
        {
            double s = 0;
            for (int p = 0; p < g.OutPixels; p++) s += dy[p * g.OutChannels + o];
            db[o] = s;
        }
    }

    static int XAt(Conv2dGeometry g, int n, int h, int v, int c) => ((n * g.Height + h) * g.Width + v) * g.InChannels + c;
    static int YAt(Conv2dGeometry g, int n, int oh, int ow, int o) => ((n * g.OutHeight + oh) * g.OutWidth + ow) * g.OutChannels + o;
    static int WAt(Conv2dGeometry g, int i, int j, int c, int o) => ((i * g.Kernel + j) * g.InChannels + c) * g.OutChannels + o;
}
