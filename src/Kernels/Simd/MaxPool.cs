using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// 2×2 stride-2 max-pooling on host vectors, the same mathematics and layouts as <see cref="Reference.MaxPool"/>
/// (X [n, h, w, c], Y [n, h/2, w/2, c], winner 0..3 = 2·di + dj, first maximum). Channels last puts the four
/// values of a window at four runs of C floats, compared a vector of channels at a time (Vector&lt;float&gt;,
/// whose int twin holds the winners). Each method works on a range of images.
/// </summary>
public static unsafe class MaxPool
{
    /// <summary>Y[n,p,q,c] = max of X[n, 2p+di, 2q+dj, c]; winner = 2·di + dj of the first maximum; for imageStart ≤ n &lt; imageEnd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* x, float* y, int* winner, int imageStart, int imageEnd, int height, int width, int channels)
    {
        int ph = height / 2, pw = width / 2, l = Vector<float>.Count;
        long rowStride = (long)width * channels;
        for (int n = imageStart; n < imageEnd; n++)
            for (int p = 0; p < ph; p++)
                for (int q = 0; q < pw; q++)
                {
                    float* a = x + (((long)n * height + 2 * p) * width + 2 * q) * channels;
                    float* b = a + channels, c = a + rowStride, d = c + channels;
                    long o = (((long)n * ph + p) * pw + q) * channels;
                    float* yo = y + o;
                    int* wo = winner + o;
                    int e = 0;
                    for (; e + l <= channels; e += l)
                    {
                        var best = Vector.Load(a + e);
                        var at = Vector<int>.Zero;
                        Pick(ref best, ref at, Vector.Load(b + e), 1);
                        Pick(ref best, ref at, Vector.Load(c + e), 2);
                        Pick(ref best, ref at, Vector.Load(d + e), 3);
                        best.Store(yo + e);
                        at.Store(wo + e);
                    }
                    for (; e < channels; e++)
                    {
                        float best = a[e];
                        int at = 0;
                        if (b[e] > best) { best = b[e]; at = 1; }
                        if (c[e] > best) { best = c[e]; at = 2; }
                        if (d[e] > best) { best = d[e]; at = 3; }
                        yo[e] = best;
                        wo[e] = at;
                    }
                }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Pick(ref Vector<float> best, ref Vector<int> at, Vector<float> v, int position)
    {
        Vector<int> greater = Vector.GreaterThan(v, best);
        best = Vector.ConditionalSelect(greater, v, best);
        at = Vector.ConditionalSelect(greater, new Vector<int>(position), at);
    }

    /// <summary>dX[n,h,w,c] = dY[n,h/2,w/2,c] at the window's winner, 0 elsewhere (dropped odd rows/columns too); imageStart ≤ n &lt; imageEnd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(float* dy, int* winner, float* dx, int imageStart, int imageEnd, int height, int width, int channels)
    {
        int ph = height / 2, pw = width / 2, l = Vector<float>.Count;
        long rowStride = (long)width * channels;
        for (int n = imageStart; n < imageEnd; n++)
        {
            float* image = dx + (long)n * height * rowStride;
            if (height % 2 != 0 || width % 2 != 0) new Span<float>(image, (int)(height * rowStride)).Clear();
            for (int p = 0; p < ph; p++)
                for (int q = 0; q < pw; q++)
                {
                    float* a = image + (2L * p * width + 2 * q) * channels;
                    float* b = a + channels, c = a + rowStride, d = c + channels;
                    long o = (((long)n * ph + p) * pw + q) * channels;
                    float* go = dy + o;
                    int* wo = winner + o;
                    int e = 0;
                    for (; e + l <= channels; e += l)
                    {
                        var g = Vector.Load(go + e);
                        var at = Vector.Load(wo + e);
                        Vector.Store(Vector.ConditionalSelect(Vector.Equals(at, Vector<int>.Zero), g, Vector<float>.Zero), a + e);
                        Vector.Store(Vector.ConditionalSelect(Vector.Equals(at, new Vector<int>(1)), g, Vector<float>.Zero), b + e);
                        Vector.Store(Vector.ConditionalSelect(Vector.Equals(at, new Vector<int>(2)), g, Vector<float>.Zero), c + e);
                        Vector.Store(Vector.ConditionalSelect(Vector.Equals(at, new Vector<int>(3)), g, Vector<float>.Zero), d + e);
                    }
                    for (; e < channels; e++)
                    {
                        float g = go[e];
                        int at = wo[e];
                        a[e] = at == 0 ? g : 0f; b[e] = at == 1 ? g : 0f; c[e] = at == 2 ? g : 0f; d[e] = at == 3 ? g : 0f;
                    }
                }
        }
    }

    /// <summary>
    /// The k×k / s / p pool (<see cref="Reference.MaxPool.WindowForward"/>): the window's pixels inside the image compared
    /// a vector of channels at a time, winner = i·k + j of the first maximum; for imageStart ≤ n &lt; imageEnd.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WindowForward(float* x, float* y, int* winner, int imageStart, int imageEnd, PoolGeometry g)
    {
        int ch = g.Channels, l = Vector<float>.Count, k = g.Kernel;
        for (int n = imageStart; n < imageEnd; n++)
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                int top = oh * g.Stride - g.Pad, i0 = Math.Max(0, -top), i1 = Math.Min(k, g.Height - top);
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    int left = ow * g.Stride - g.Pad, j0 = Math.Max(0, -left), j1 = Math.Min(k, g.Width - left);
                    long o = (((long)n * g.OutHeight + oh) * g.OutWidth + ow) * ch;
                    float* first = x + (((long)n * g.Height + top + i0) * g.Width + left + j0) * ch;
                    int e = 0;
                    for (; e + l <= ch; e += l)
                    {
                        var best = Vector.Load(first + e);
                        var at = new Vector<int>(i0 * k + j0);
                        for (int i = i0; i < i1; i++)
                            for (int j = j0; j < j1; j++)
                                Pick(ref best, ref at, Vector.Load(x + (((long)n * g.Height + top + i) * g.Width + left + j) * ch + e), i * k + j);
                        best.Store(y + o + e);
                        at.Store(winner + o + e);
                    }
                    for (; e < ch; e++)
                    {
                        float best = first[e];
                        int at = i0 * k + j0;
                        for (int i = i0; i < i1; i++)
                            for (int j = j0; j < j1; j++)
                            {
                                float v = x[(((long)n * g.Height + top + i) * g.Width + left + j) * ch + e];
                                if (v > best) { best = v; at = i * k + j; }
                            }
                        y[o + e] = best;
                        winner[o + e] = at;
                    }
                }
            }
    }

    /// <summary>
    /// dX of the k×k / s / p pool (<see cref="Reference.MaxPool.WindowBackward"/>) gathered per input pixel: Σ over the
    /// windows that hold it, in (oh, ow) order, of dY where the window's winner is this pixel; dX overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WindowBackward(float* dy, int* winner, float* dx, int imageStart, int imageEnd, PoolGeometry g)
    {
        int ch = g.Channels, l = Vector<float>.Count, k = g.Kernel, s = g.Stride;
        for (int n = imageStart; n < imageEnd; n++)
            for (int h = 0; h < g.Height; h++)
            {
                // Windows oh with oh·s − p ≤ h ≤ oh·s − p + k − 1.
                int oh0 = Math.Max(0, CeilDiv(h + g.Pad - k + 1, s)), oh1 = Math.Min(g.OutHeight - 1, (h + g.Pad) / s);
                for (int v = 0; v < g.Width; v++)
                {
                    int ow0 = Math.Max(0, CeilDiv(v + g.Pad - k + 1, s)), ow1 = Math.Min(g.OutWidth - 1, (v + g.Pad) / s);
                    float* target = dx + (((long)n * g.Height + h) * g.Width + v) * ch;
                    int e = 0;
                    for (; e + l <= ch; e += l)
                    {
                        var sum = Vector<float>.Zero;
                        for (int oh = oh0; oh <= oh1; oh++)
                            for (int ow = ow0; ow <= ow1; ow++)
                            {
                                long o = (((long)n * g.OutHeight + oh) * g.OutWidth + ow) * ch + e;
                                var mine = Vector.Equals(Vector.Load(winner + o), new Vector<int>((h - oh * s + g.Pad) * k + v - ow * s + g.Pad));
                                sum += Vector.ConditionalSelect(mine, Vector.Load(dy + o), Vector<float>.Zero);
                            }
                        sum.Store(target + e);
                    }
                    for (; e < ch; e++)
                    {
                        float sum = 0f;
                        for (int oh = oh0; oh <= oh1; oh++)
                            for (int ow = ow0; ow <= ow1; ow++)
                            {
                                long o = (((long)n * g.OutHeight + oh) * g.OutWidth + ow) * ch + e;
                                if (winner[o] == (h - oh * s + g.Pad) * k + v - ow * s + g.Pad) sum += dy[o];
                            }
                        target[e] = sum;
                    }
                }
            }
    }

    /// <summary>⌈a / b⌉ for b &gt; 0 and any a (a negative a rounds towards zero, which the callers clamp at 0).</summary>
    static int CeilDiv(int a, int b) => a > 0 ? (a + b - 1) / b : -(-a / b);
}
