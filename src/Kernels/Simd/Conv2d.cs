using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuSiamese.Kernels;

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
    /// P[(n·OH + oh)·OW + ow, (i·k + j)·C + c] = X[n, oh·s+i−top, ow·s+j−left, c], 0 where that pixel is padding,
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
                    int left = ow * g.Stride - g.PadLeft;
                    int j0 = Math.Max(0, -left), j1 = Math.Min(k, g.Width - left);
                    for (int i = 0; i < k; i++)
                    {
                        float* dst = row + i * k * c;
                        int h = oh * g.Stride + i - g.PadTop;
                        if (h < 0 || h >= g.Height)
                        {
                            new Span<float>(dst, k * c).Clear();
                            continue;
                        }
                        if (j0 > 0) new Span<float>(dst, j0 * c).Clear();
                        float* src = image + ((long)h * g.Width + left + j0) * c;
                        int run = (j1 - j0) * c;
                        if (run == 1) dst[j0] = *src;
                        else new ReadOnlySpan<float>(src, run).CopyTo(new Span<float>(dst + j0 * c, run));
                        if (j1 < k) new Span<float>(dst + j1 * c, (k - j1) * c).Clear();
                    }
                }
        }
    }

    /// <summary>
    /// dX[n, h, v, c] = Σ dP[(n·OH + oh)·OW + ow, (i·k + j)·C + c] over the (oh, ow, i, j) with oh·s+i−top = h and
    /// ow·s+j−left = v (the transpose of <see cref="Im2Col"/>), for imageStart ≤ n &lt; imageEnd; dX is overwritten.
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
                    int left = ow * g.Stride - g.PadLeft;
                    int j0 = Math.Max(0, -left), j1 = Math.Min(k, g.Width - left), run = (j1 - j0) * c;
                    if (run <= 0) continue;
                    for (int i = 0; i < k; i++)
                    {
                        int h = oh * g.Stride + i - g.PadTop;
                        if (h < 0 || h >= g.Height) continue;
                        float* src = row + (i * k + j0) * c;
                        float* dst = image + ((long)h * g.Width + left + j0) * c;
                        int e = 0;
                        for (; e + l <= run; e += l) TI.Store(TI.Add(TI.Load(dst + e), TI.Load(src + e)), dst + e);
                        for (; e < run; e++) dst[e] += src[e];
                    }
                }
        }
    }

    /// <summary>
    /// The largest patch (k·k·C) that <see cref="DirectForward"/>, <see cref="DirectBackwardData"/> and
    /// <see cref="DirectBackwardWeights"/> take: with so few inputs per output a patch matrix is mostly copies and the
    /// product over it is too short to pay for them (the first layer of an image network: k·k·1 or k·k·3), so the
    /// direct kernels read the (zero-padded) image where it lies instead.
    /// </summary>
    public const int DirectPatchLimit = 32;

    /// <summary>Whether the direct kernels take this convolution: stride 1, a patch of at most <see cref="DirectPatchLimit"/> floats.</summary>
    public static bool Direct(Conv2dGeometry g) => g.Stride == 1 && g.PatchSize <= DirectPatchLimit;

    /// <summary>Whether the lowered passes need a patch matrix: any but a 1×1 stride-1 convolution, whose patches are the pixels.</summary>
    public static bool NeedsPatches(Conv2dGeometry g) => g.Kernel > 1 || g.Stride > 1;

    /// <summary>Floats of scratch one image needs in the direct kernels: the padded input, or the padded output gradient.</summary>
    public static int DirectScratch(Conv2dGeometry g) =>
        Math.Max((g.Height + 2 * g.Pad) * (g.Width + 2 * g.Pad) * g.InChannels,
                 (g.Height + g.Kernel - 1) * (g.Width + g.Kernel - 1) * g.OutChannels);

    /// <summary>
    /// dst[h, v, c] = src[h − pad, v − pad, c] inside, 0 on a border of <paramref name="pad"/> pixels: an image of
    /// height·width·channels floats copied into (height + 2·pad)·(width + 2·pad)·channels.
    /// </summary>
    static void PadImage(float* src, float* dst, int height, int width, int channels, int pad)
    {
        int run = width * channels, padded = (width + 2 * pad) * channels, side = pad * channels;
        new Span<float>(dst, pad * padded).Clear();
        float* row = dst + (long)pad * padded;
        for (int h = 0; h < height; h++, row += padded)
        {
            new Span<float>(row, side).Clear();
            new ReadOnlySpan<float>(src + (long)h * run, run).CopyTo(new Span<float>(row + side, run));
            new Span<float>(row + side + run, side).Clear();
        }
        new Span<float>(row, pad * padded).Clear();
    }

    /// <summary>
    /// Y = act(b + conv(X, W)) for imageStart ≤ n &lt; imageEnd, read straight from the image: each image is copied
    /// into <paramref name="scratch"/> with its zero border (<see cref="DirectScratch"/> floats), then four neighbouring
    /// output pixels at a time take each weight row once — for each patch element p in order, a broadcast input times
    /// W's row p of output channels — so every output is one multiply-add chain over p = 0…k·k·C−1 in the patch
    /// matrix's order, as the lowered product computes it (a padded pixel adds 0·w).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DirectForward(VectorWidth width, float* x, float* w, float* b, float* y, float* scratch,
        int imageStart, int imageEnd, Conv2dGeometry g, Activation act)
    {
        switch (width)
        {
            case VectorWidth.V512: DirectForward<Vector512<float>, Isa512>(x, w, b, y, scratch, imageStart, imageEnd, g, act); break;
            case VectorWidth.V256: DirectForward<Vector256<float>, Isa256>(x, w, b, y, scratch, imageStart, imageEnd, g, act); break;
            default: DirectForward<Vector128<float>, Isa128>(x, w, b, y, scratch, imageStart, imageEnd, g, act); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void DirectForward<TV, TI>(float* x, float* w, float* b, float* y, float* scratch, int imageStart, int imageEnd,
        Conv2dGeometry g, Activation act) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int c = g.InChannels, k = g.Kernel, o = g.OutChannels, l = TI.Count, oh = g.OutHeight, ow = g.OutWidth;
        int rowStride = (g.Width + 2 * g.Pad) * c, run = k * c;
        bool relu = act == Activation.Relu;
        for (int n = imageStart; n < imageEnd; n++)
        {
            float* image = x + (long)n * g.InSize;
            if (g.Pad > 0)
            {
                PadImage(image, scratch, g.Height, g.Width, c, g.Pad);
                image = scratch;
            }
            float* output = y + (long)n * g.OutSize;
            for (int r = 0; r < oh; r++)
            {
                int v = 0;
                for (; v < ow && ow >= 4; v += 4)
                {
                    // The last group of a row ends at the row's end, overlapping the one before (same values again).
                    v = Math.Min(v, ow - 4);
                    float* input = image + (long)r * rowStride + v * c, outp = output + ((long)r * ow + v) * o;
                    int q = 0;
                    for (; q + 2 * l <= o; q += 2 * l) ForwardPixels4x2<TV, TI>(input, rowStride, c, k, run, w + q, o, b + q, outp + q, relu);
                    for (; q + l <= o; q += l) ForwardPixels4x1<TV, TI>(input, rowStride, c, k, run, w + q, o, b + q, outp + q, relu);
                    for (int d = 0; d < 4; d++) ForwardScalar(input + d * c, rowStride, k, run, w, o, b, outp + d * o, q, relu);
                }
                for (; v < ow; v++)
                {
                    float* input = image + (long)r * rowStride + v * c, outp = output + ((long)r * ow + v) * o;
                    int q = 0;
                    for (; q + l <= o; q += l) ForwardPixels1x1<TV, TI>(input, rowStride, k, run, w + q, o, b + q, outp + q, relu);
                    ForwardScalar(input, rowStride, k, run, w, o, b, outp, q, relu);
                }
            }
        }
    }

    /// <summary>Four output pixels (input columns d·C apart) × two vectors of output channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ForwardPixels4x2<TV, TI>(float* input, int rowStride, int c, int k, int run, float* w, int o, float* b, float* y, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count;
        TV c00 = TI.Zero, c01 = TI.Zero, c10 = TI.Zero, c11 = TI.Zero, c20 = TI.Zero, c21 = TI.Zero, c30 = TI.Zero, c31 = TI.Zero;
        for (int i = 0; i < k; i++)
        {
            float* a = input + (long)i * rowStride, wr = w + (long)i * run * o;
            for (int t = 0; t < run; t++, wr += o)
            {
                TV w0 = TI.Load(wr), w1 = TI.Load(wr + l);
                TV v = TI.Broadcast(a[t]);
                c00 = TI.MulAdd(v, w0, c00); c01 = TI.MulAdd(v, w1, c01);
                v = TI.Broadcast(a[c + t]);
                c10 = TI.MulAdd(v, w0, c10); c11 = TI.MulAdd(v, w1, c11);
                v = TI.Broadcast(a[2 * c + t]);
                c20 = TI.MulAdd(v, w0, c20); c21 = TI.MulAdd(v, w1, c21);
                v = TI.Broadcast(a[3 * c + t]);
                c30 = TI.MulAdd(v, w0, c30); c31 = TI.MulAdd(v, w1, c31);
            }
        }
        TV b0 = TI.Load(b), b1 = TI.Load(b + l);
        TI.Store(Finish<TV, TI>(c00, b0, relu), y); TI.Store(Finish<TV, TI>(c01, b1, relu), y + l); y += o;
        TI.Store(Finish<TV, TI>(c10, b0, relu), y); TI.Store(Finish<TV, TI>(c11, b1, relu), y + l); y += o;
        TI.Store(Finish<TV, TI>(c20, b0, relu), y); TI.Store(Finish<TV, TI>(c21, b1, relu), y + l); y += o;
        TI.Store(Finish<TV, TI>(c30, b0, relu), y); TI.Store(Finish<TV, TI>(c31, b1, relu), y + l);
    }

    /// <summary>Four output pixels × one vector of output channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ForwardPixels4x1<TV, TI>(float* input, int rowStride, int c, int k, int run, float* w, int o, float* b, float* y, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        TV c0 = TI.Zero, c1 = TI.Zero, c2 = TI.Zero, c3 = TI.Zero;
        for (int i = 0; i < k; i++)
        {
            float* a = input + (long)i * rowStride, wr = w + (long)i * run * o;
            for (int t = 0; t < run; t++, wr += o)
            {
                TV w0 = TI.Load(wr);
                c0 = TI.MulAdd(TI.Broadcast(a[t]), w0, c0);
                c1 = TI.MulAdd(TI.Broadcast(a[c + t]), w0, c1);
                c2 = TI.MulAdd(TI.Broadcast(a[2 * c + t]), w0, c2);
                c3 = TI.MulAdd(TI.Broadcast(a[3 * c + t]), w0, c3);
            }
        }
        TV b0 = TI.Load(b);
        TI.Store(Finish<TV, TI>(c0, b0, relu), y); TI.Store(Finish<TV, TI>(c1, b0, relu), y + o);
        TI.Store(Finish<TV, TI>(c2, b0, relu), y + 2 * o); TI.Store(Finish<TV, TI>(c3, b0, relu), y + 3 * o);
    }

    /// <summary>One output pixel × one vector of output channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ForwardPixels1x1<TV, TI>(float* input, int rowStride, int k, int run, float* w, int o, float* b, float* y, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        TV c0 = TI.Zero;
        for (int i = 0; i < k; i++)
        {
            float* a = input + (long)i * rowStride, wr = w + (long)i * run * o;
            for (int t = 0; t < run; t++, wr += o) c0 = TI.MulAdd(TI.Broadcast(a[t]), TI.Load(wr), c0);
        }
        TI.Store(Finish<TV, TI>(c0, TI.Load(b), relu), y);
    }

    /// <summary>One output pixel's channels from <paramref name="first"/> on, one scalar chain each.</summary>
    static void ForwardScalar(float* input, int rowStride, int k, int run, float* w, int o, float* b, float* y, int first, bool relu)
    {
        for (int q = first; q < o; q++)
        {
            float acc = 0;
            for (int i = 0; i < k; i++)
            {
                float* a = input + (long)i * rowStride, wr = w + (long)i * run * o + q;
                for (int t = 0; t < run; t++, wr += o) acc = MathF.FusedMultiplyAdd(a[t], *wr, acc);
            }
            acc += b[q];
            y[q] = relu ? MathF.Max(acc, 0) : acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV Finish<TV, TI>(TV acc, TV bias, bool relu) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        acc = TI.Add(acc, bias);
        return relu ? TI.Max(acc, TI.Zero) : acc;
    }

    /// <summary>
    /// dX = the transpose of the convolution applied to dY, for imageStart ≤ n &lt; imageEnd, straight from dY: each
    /// image's dY is copied into <paramref name="scratch"/> with a zero border of k−1−pad pixels, so that
    /// dX[h, v, c] = Σ_{i,j} Σ_o dYpad[h + k−1−i, v + k−1−j, o] · W[i, j, c, o] needs no bounds; four neighbouring
    /// pixels at a time share each weight load. dX is overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DirectBackwardData(VectorWidth width, float* dy, float* w, float* dx, float* scratch,
        int imageStart, int imageEnd, Conv2dGeometry g)
    {
        switch (width)
        {
            case VectorWidth.V512: DirectBackwardData<Vector512<float>, Isa512>(dy, w, dx, scratch, imageStart, imageEnd, g); break;
            case VectorWidth.V256: DirectBackwardData<Vector256<float>, Isa256>(dy, w, dx, scratch, imageStart, imageEnd, g); break;
            default: DirectBackwardData<Vector128<float>, Isa128>(dy, w, dx, scratch, imageStart, imageEnd, g); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void DirectBackwardData<TV, TI>(float* dy, float* w, float* dx, float* scratch, int imageStart, int imageEnd, Conv2dGeometry g)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int c = g.InChannels, k = g.Kernel, o = g.OutChannels, border = k - 1 - g.Pad;
        int rowStride = (g.OutWidth + 2 * border) * o;
        for (int n = imageStart; n < imageEnd; n++)
        {
            PadImage(dy + (long)n * g.OutSize, scratch, g.OutHeight, g.OutWidth, o, border);
            float* image = dx + (long)n * g.InSize;
            for (int h = 0; h < g.Height; h++)
            {
                int v = 0;
                for (; v < g.Width && g.Width >= 4; v += 4)
                {
                    v = Math.Min(v, g.Width - 4); // the last group overlaps the one before, as in the forward pass
                    for (int ch = 0; ch < c; ch++)
                        DataPixels4<TV, TI>(scratch + (long)h * rowStride + v * o, rowStride, o, k, c, w + (long)ch * o,
                            image + ((long)h * g.Width + v) * c + ch, c);
                }
                for (; v < g.Width; v++)
                    for (int ch = 0; ch < c; ch++)
                        image[((long)h * g.Width + v) * c + ch] = DataPixel<TV, TI>(scratch + (long)h * rowStride + v * o, rowStride, o, k, c, w + (long)ch * o);
            }
        }
    }

    /// <summary>
    /// Four dX values of one channel, pixels v…v+3 of a row: Σ over the k·k taps (tap (i, j) reads the padded dY at
    /// row offset k−1−i, column offset k−1−j) and the output channels. <paramref name="w"/> points at W[0, 0, c, 0].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void DataPixels4<TV, TI>(float* dyp, int rowStride, int o, int k, int c, float* w, float* dx, int dxStep)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count;
        TV a0 = TI.Zero, a1 = TI.Zero, a2 = TI.Zero, a3 = TI.Zero;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                // dYpad[h + k−1−i, v + d + k−1−j] with W[i, j, c, ·]
                float* d = dyp + (long)(k - 1 - i) * rowStride + (k - 1 - j) * o, wr = w + (long)(i * k + j) * c * o;
                int q = 0;
                for (; q + l <= o; q += l)
                {
                    TV wv = TI.Load(wr + q);
                    a0 = TI.MulAdd(TI.Load(d + q), wv, a0);
                    a1 = TI.MulAdd(TI.Load(d + o + q), wv, a1);
                    a2 = TI.MulAdd(TI.Load(d + 2 * o + q), wv, a2);
                    a3 = TI.MulAdd(TI.Load(d + 3 * o + q), wv, a3);
                }
                for (; q < o; q++)
                {
                    float wq = wr[q];
                    s0 = MathF.FusedMultiplyAdd(d[q], wq, s0); s1 = MathF.FusedMultiplyAdd(d[o + q], wq, s1);
                    s2 = MathF.FusedMultiplyAdd(d[2 * o + q], wq, s2); s3 = MathF.FusedMultiplyAdd(d[3 * o + q], wq, s3);
                }
            }
        dx[0] = TI.Sum(a0) + s0; dx[dxStep] = TI.Sum(a1) + s1; dx[2 * dxStep] = TI.Sum(a2) + s2; dx[3 * dxStep] = TI.Sum(a3) + s3;
    }

    /// <summary>One dX value (the tail of a row), as <see cref="DataPixels4{TV, TI}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float DataPixel<TV, TI>(float* dyp, int rowStride, int o, int k, int c, float* w)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count;
        TV a = TI.Zero;
        float s = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                float* d = dyp + (long)(k - 1 - i) * rowStride + (k - 1 - j) * o, wr = w + (long)(i * k + j) * c * o;
                int q = 0;
                for (; q + l <= o; q += l) a = TI.MulAdd(TI.Load(d + q), TI.Load(wr + q), a);
                for (; q < o; q++) s = MathF.FusedMultiplyAdd(d[q], wr[q], s);
            }
        return TI.Sum(a) + s;
    }

    /// <summary>
    /// The partial dW = Pᵀ·dY over images imageStart ≤ n &lt; imageEnd (P the patch matrix), straight from the images:
    /// they are first copied with their zero borders into <paramref name="scratch"/> (<see cref="DirectScratch"/>
    /// floats each, contiguous), then for each kernel row i, three patch elements t…t+2 of it and two vectors of
    /// output channels at a time, six accumulators run over every output pixel of the images in order — per pixel
    /// three broadcast inputs and two loads of dY. dW (P·O floats) is overwritten; db is not touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DirectBackwardWeights(VectorWidth width, float* x, float* dy, float* dw, float* scratch,
        int imageStart, int imageEnd, Conv2dGeometry g)
    {
        switch (width)
        {
            case VectorWidth.V512: DirectBackwardWeights<Vector512<float>, Isa512>(x, dy, dw, scratch, imageStart, imageEnd, g); break;
            case VectorWidth.V256: DirectBackwardWeights<Vector256<float>, Isa256>(x, dy, dw, scratch, imageStart, imageEnd, g); break;
            default: DirectBackwardWeights<Vector128<float>, Isa128>(x, dy, dw, scratch, imageStart, imageEnd, g); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void DirectBackwardWeights<TV, TI>(float* x, float* dy, float* dw, float* scratch, int imageStart, int imageEnd, Conv2dGeometry g)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int c = g.InChannels, k = g.Kernel, o = g.OutChannels, l = TI.Count, run = k * c;
        int rowStride = (g.Width + 2 * g.Pad) * c, imageFloats = (g.Height + 2 * g.Pad) * rowStride, images = imageEnd - imageStart;
        float* padded = x + (long)imageStart * g.InSize;
        if (g.Pad > 0)
        {
            for (int n = 0; n < images; n++)
                PadImage(x + (long)(imageStart + n) * g.InSize, scratch + (long)n * imageFloats, g.Height, g.Width, c, g.Pad);
            padded = scratch;
        }
        float* grad = dy + (long)imageStart * g.OutSize;
        var sums = new WeightSums(padded, imageFloats, rowStride, c, grad, o, images, g.OutHeight, g.OutWidth);
        for (int i = 0; i < k; i++)
            for (int t = 0; t < run; t += 3)
            {
                int taps = Math.Min(3, run - t);
                float* target = dw + ((long)i * run + t) * o;
                int q = 0;
                for (; q + 2 * l <= o; q += 2 * l) sums.Taps3x2<TV, TI>(i, t, taps, q, 2, target + q);
                for (; q + l <= o; q += l) sums.Taps3x2<TV, TI>(i, t, taps, q, 1, target + q);
                for (; q < o; q++)
                    for (int e = 0; e < taps; e++) target[(long)e * o + q] = sums.Scalar(i, t + e, q);
            }
    }

    /// <summary>The sums of <see cref="DirectBackwardWeights"/> over the output pixels of a block of padded images.</summary>
    readonly struct WeightSums(float* padded, int imageFloats, int rowStride, int c, float* dy, int o, int images, int outHeight, int outWidth)
    {
        /// <summary>
        /// target[e·O + q'…] = Σ_pixels x[pixel's patch element (i, t+e)] · dY[pixel, q…] for e &lt; taps (≤ 3) and
        /// <paramref name="vectors"/> (1 or 2) vectors of channels from q; unused taps and vectors are computed on
        /// repeated data and not stored.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Taps3x2<TV, TI>(int i, int t, int taps, int q, int vectors, float* target) where TV : struct where TI : struct, IVectorIsa<TV>
        {
            int l = TI.Count, e1 = taps > 1 ? 1 : 0, e2 = taps > 2 ? 2 : e1, second = vectors > 1 ? l : 0;
            TV c00 = TI.Zero, c01 = TI.Zero, c10 = TI.Zero, c11 = TI.Zero, c20 = TI.Zero, c21 = TI.Zero;
            float* d = dy + q;
            for (int n = 0; n < images; n++)
            {
                float* image = padded + (long)n * imageFloats + (long)i * rowStride + t;
                for (int r = 0; r < outHeight; r++)
                {
                    float* a = image + (long)r * rowStride;
                    for (int v = 0; v < outWidth; v++, a += c, d += o)
                    {
                        TV g0 = TI.Load(d), g1 = TI.Load(d + second);
                        TV x = TI.Broadcast(a[0]);
                        c00 = TI.MulAdd(x, g0, c00); c01 = TI.MulAdd(x, g1, c01);
                        x = TI.Broadcast(a[e1]);
                        c10 = TI.MulAdd(x, g0, c10); c11 = TI.MulAdd(x, g1, c11);
                        x = TI.Broadcast(a[e2]);
                        c20 = TI.MulAdd(x, g0, c20); c21 = TI.MulAdd(x, g1, c21);
                    }
                }
            }
            TI.Store(c00, target); if (vectors > 1) TI.Store(c01, target + l);
            if (taps > 1) { TI.Store(c10, target + o); if (vectors > 1) TI.Store(c11, target + o + l); }
            if (taps > 2) { TI.Store(c20, target + 2 * o); if (vectors > 1) TI.Store(c21, target + 2 * o + l); }
        }

        /// <summary>Σ_pixels x[pixel's patch element (i, t)] · dY[pixel, q], one scalar chain.</summary>
        public float Scalar(int i, int t, int q)
        {
            float acc = 0;
            float* d = dy + q;
            for (int n = 0; n < images; n++)
            {
                float* image = padded + (long)n * imageFloats + (long)i * rowStride + t;
                for (int r = 0; r < outHeight; r++)
                {
                    float* a = image + (long)r * rowStride;
                    for (int v = 0; v < outWidth; v++, a += c, d += o) acc = MathF.FusedMultiplyAdd(*a, *d, acc);
                }
            }
            return acc;
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
