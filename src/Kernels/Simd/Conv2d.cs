using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// The data movement that lowers a convolution (<see cref="Reference.Conv2d"/>, same layouts) to the dense
/// products of <see cref="Dense"/>: with the patch matrix P [OutPixels, k·k·C] of <see cref="Im2Col"/>,
/// forward is Y = act(b + P·W), backward weights dW = Pᵀ·dY, db = Σ dY, and backward data dP = dY·Wᵀ
/// followed by <see cref="Col2Im"/>, which adds each patch row back onto the pixels it came from.
/// Channels last makes each (output pixel, kernel row) of a patch one contiguous run of the input,
/// so both are run copies and run additions. Each method works on a range of images (split them over threads);
/// <see cref="SumBlocks"/> adds up the partial dW of blocks of images in a fixed order.
/// </summary>
[SkipLocalsInit]
public static unsafe class Conv2d
{
    /// <summary>
    /// P[(n·OH + oh)·OW + ow, (i·k + j)·C + c] = X[n, oh+i−pad, ow+j−pad, c], 0 where that pixel is padding,
    /// for imageStart ≤ n &lt; imageEnd. P is indexed from image 0 (the rows of image n start at n·OH·OW).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Im2Col(float* x, float* cols, int imageStart, int imageEnd, Conv2dGeometry g)
    {
        int c = g.InChannels, k = g.Kernel, patch = g.PatchSize;
        for (int n = imageStart; n < imageEnd; n++)
        {
            float* image = x + (long)n * g.InSize;
            float* row = cols + (long)n * g.OutHeight * g.OutWidth * patch;
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++, row += patch)
                {
                    // Kernel columns j0 ≤ j < j1 fall inside the image: one contiguous run of (j1−j0)·C floats.
                    int j0 = Math.Max(0, g.Pad - ow), j1 = Math.Min(k, g.Width + g.Pad - ow);
                    for (int i = 0; i < k; i++)
                    {
                        float* dst = row + i * k * c;
                        int h = oh + i - g.Pad;
                        if (h < 0 || h >= g.Height)
                        {
                            new Span<float>(dst, k * c).Clear();
                            continue;
                        }
                        if (j0 > 0) new Span<float>(dst, j0 * c).Clear();
                        float* src = image + ((long)h * g.Width + ow + j0 - g.Pad) * c;
                        int run = (j1 - j0) * c;
                        if (run == 1) dst[j0] = *src;
                        else new ReadOnlySpan<float>(src, run).CopyTo(new Span<float>(dst + j0 * c, run));
                        if (j1 < k) new Span<float>(dst + j1 * c, (k - j1) * c).Clear();
                    }
                }
        }
    }

    /// <summary>
    /// dX[n, h, v, c] = Σ dP[(n·OH + oh)·OW + ow, (i·k + j)·C + c] over the (oh, ow, i, j) with oh+i−pad = h and
    /// ow+j−pad = v (the transpose of <see cref="Im2Col"/>), for imageStart ≤ n &lt; imageEnd; dX is overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Col2Im(VectorWidth width, float* dcols, float* dx, int imageStart, int imageEnd, Conv2dGeometry g)
    {
        switch (width)
        {
            case VectorWidth.V512: Col2Im<Vector512<float>, Isa512>(dcols, dx, imageStart, imageEnd, g); break;
            case VectorWidth.V256: Col2Im<Vector256<float>, Isa256>(dcols, dx, imageStart, imageEnd, g); break;
            default: Col2Im<Vector128<float>, Isa128>(dcols, dx, imageStart, imageEnd, g); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Col2Im<TV, TI>(float* dcols, float* dx, int imageStart, int imageEnd, Conv2dGeometry g)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int c = g.InChannels, k = g.Kernel, patch = g.PatchSize, l = TI.Count;
        for (int n = imageStart; n < imageEnd; n++)
        {
            float* image = dx + (long)n * g.InSize;
            new Span<float>(image, g.InSize).Clear();
            float* row = dcols + (long)n * g.OutHeight * g.OutWidth * patch;
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++, row += patch)
                {
                    int j0 = Math.Max(0, g.Pad - ow), j1 = Math.Min(k, g.Width + g.Pad - ow), run = (j1 - j0) * c;
                    for (int i = 0; i < k; i++)
                    {
                        int h = oh + i - g.Pad;
                        if (h < 0 || h >= g.Height) continue;
                        float* src = row + (i * k + j0) * c;
                        float* dst = image + ((long)h * g.Width + ow + j0 - g.Pad) * c;
                        int e = 0;
                        for (; e + l <= run; e += l) TI.Store(TI.Add(TI.Load(dst + e), TI.Load(src + e)), dst + e);
                        for (; e < run; e++) dst[e] += src[e];
                    }
                }
        }
    }

    /// <summary>dst[i] = Σ_{b &lt; blocks} partials[b·stride + offset + i] for i &lt; count, the blocks added in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumBlocks(VectorWidth width, float* partials, int blocks, int stride, float* dst, int offset, int count)
    {
        switch (width)
        {
            case VectorWidth.V512: SumBlocks<Vector512<float>, Isa512>(partials, blocks, stride, dst, offset, count); break;
            case VectorWidth.V256: SumBlocks<Vector256<float>, Isa256>(partials, blocks, stride, dst, offset, count); break;
            default: SumBlocks<Vector128<float>, Isa128>(partials, blocks, stride, dst, offset, count); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void SumBlocks<TV, TI>(float* partials, int blocks, int stride, float* dst, int offset, int count)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int i = 0, l = TI.Count;
        for (; i + l <= count; i += l)
        {
            TV s = TI.Load(partials + offset + i);
            for (int b = 1; b < blocks; b++) s = TI.Add(s, TI.Load(partials + (long)b * stride + offset + i));
            TI.Store(s, dst + i);
        }
        for (; i < count; i++)
        {
            float s = partials[offset + i];
            for (int b = 1; b < blocks; b++) s += partials[(long)b * stride + offset + i];
            dst[i] = s;
        }
    }
}
