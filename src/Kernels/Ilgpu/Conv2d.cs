using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Shape of a convolution launch: the geometry, the fused activation (1 = ReLU) and the work split.</summary>
public readonly struct Conv2dShape
{
    public readonly Conv2dGeometry G;
    public readonly int Relu;
    public readonly WorkSplit Work;

    public Conv2dShape(Conv2dGeometry g, int relu, WorkSplit work)
    {
        G = g; Relu = relu; Work = work;
    }
}

/// <summary>
/// k×k convolution kernels with stride s, computed directly (twins of <see cref="Reference.Conv2d"/>, same
/// channels-last layouts, outputs overwritten). One unit per output element, the channel fastest, so
/// neighbouring work-items read neighbouring weights (GPUs, PoCL); <c>*Blocked</c> walks a contiguous
/// block of units per thread (ILGPU's CPU accelerator). Padding pixels are skipped, not read.
/// </summary>
public static class Conv2d
{
    /// <summary>Y[n,oh,ow,o] = act(b[o] + Σ_{i,j,c} X[n, oh·s+i−top, ow·s+j−left, c]·W[i,j,c,o]). Units = Images·OH·OW·O.</summary>
    public static void Forward(Index1D unit, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, Conv2dShape s) =>
        ForwardAt(unit, x, w, b, y, s);

    /// <summary>As <see cref="Forward"/>, a block of units per thread.</summary>
    public static void ForwardBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, Conv2dShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) ForwardAt(u, x, w, b, y, s);
    }

    static void ForwardAt(int u, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, Conv2dShape s)
    {
        var g = s.G;
        int o = u % g.OutChannels, pixel = u / g.OutChannels;
        int ow = pixel % g.OutWidth, rest = pixel / g.OutWidth;
        int oh = rest % g.OutHeight, n = rest / g.OutHeight;
        float sum = b[o];
        for (int i = 0; i < g.Kernel; i++)
        {
            int h = oh * g.Stride + i - g.PadTop;
            if (h < 0 || h >= g.Height) continue;
            for (int j = 0; j < g.Kernel; j++)
            {
                int v = ow * g.Stride + j - g.PadLeft;
                if (v < 0 || v >= g.Width) continue;
                int xi = ((n * g.Height + h) * g.Width + v) * g.InChannels;
                int wi = (i * g.Kernel + j) * g.InChannels * g.OutChannels + o;
                for (int c = 0; c < g.InChannels; c++, wi += g.OutChannels) sum += x[xi + c] * w[wi];
            }
        }
        y[u] = s.Relu != 0 && sum < 0f ? 0f : sum;
    }

    /// <summary>dX[n,h,v,c] = Σ_{i,j,o} dY[n, (h+top−i)/s, (v+left−j)/s, o]·W[i,j,c,o] over existing output pixels (exact divisions). Units = Images·H·W·C.</summary>
    public static void BackwardData(Index1D unit, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, Conv2dShape s) =>
        BackwardDataAt(unit, dy, w, dx, s);

    /// <summary>As <see cref="BackwardData"/>, a block of units per thread.</summary>
    public static void BackwardDataBlocked(Index1D thread, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, Conv2dShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) BackwardDataAt(u, dy, w, dx, s);
    }

    static void BackwardDataAt(int u, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, Conv2dShape s)
    {
        var g = s.G;
        int c = u % g.InChannels, pixel = u / g.InChannels;
        int v = pixel % g.Width, rest = pixel / g.Width;
        int h = rest % g.Height, n = rest / g.Height;
        float sum = 0f;
        for (int i = 0; i < g.Kernel; i++)
        {
            int ph = h + g.PadTop - i;
            if (ph < 0 || ph % g.Stride != 0) continue;
            int oh = ph / g.Stride;
            if (oh >= g.OutHeight) continue;
            for (int j = 0; j < g.Kernel; j++)
            {
                int pw = v + g.PadLeft - j;
                if (pw < 0 || pw % g.Stride != 0) continue;
                int ow = pw / g.Stride;
                if (ow >= g.OutWidth) continue;
                int di = ((n * g.OutHeight + oh) * g.OutWidth + ow) * g.OutChannels;
                int wi = ((i * g.Kernel + j) * g.InChannels + c) * g.OutChannels;
                for (int o = 0; o < g.OutChannels; o++) sum += dy[di + o] * w[wi + o];
            }
        }
        dx[u] = sum;
    }

    /// <summary>
    /// dW[i,j,c,o] = Σ_{n,oh,ow} X[n, oh·s+i−top, ow·s+j−left, c]·dY[n,oh,ow,o] for the first k·k·C·O units (padding adds
    /// nothing); the last O units write db[o] = Σ_{n,oh,ow} dY[n,oh,ow,o]. Units = k·k·C·O + O.
    /// </summary>
    public static void BackwardWeights(Index1D unit, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, Conv2dShape s) =>
        BackwardWeightsAt(unit, x, dy, dw, db, s);

    /// <summary>As <see cref="BackwardWeights"/>, a block of units per thread.</summary>
    public static void BackwardWeightsBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, Conv2dShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) BackwardWeightsAt(u, x, dy, dw, db, s);
    }

    static void BackwardWeightsAt(int u, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, Conv2dShape s)
    {
        var g = s.G;
        int weights = g.Kernel * g.Kernel * g.InChannels * g.OutChannels;
        if (u >= weights)
        {
            int ob = u - weights, pixels = g.Images * g.OutHeight * g.OutWidth;
            float total = 0f;
            for (int p = 0, di = ob; p < pixels; p++, di += g.OutChannels) total += dy[di];
            db[ob] = total;
            return;
        }
        int o = u % g.OutChannels, rest = u / g.OutChannels;
        int c = rest % g.InChannels; rest /= g.InChannels;
        int j = rest % g.Kernel, i = rest / g.Kernel;
        // The output pixels whose patch reads an input pixel at kernel offset (i, j): 0 ≤ oh·s + i − top < H, likewise ow.
        int oh0 = CeilDiv(Max(0, g.PadTop - i), g.Stride), oh1 = Min(g.OutHeight, CeilDiv(g.Height + g.PadTop - i, g.Stride));
        int ow0 = CeilDiv(Max(0, g.PadLeft - j), g.Stride), ow1 = Min(g.OutWidth, CeilDiv(g.Width + g.PadLeft - j, g.Stride));
        float sum = 0f;
        for (int n = 0; n < g.Images; n++)
            for (int oh = oh0; oh < oh1; oh++)
            {
                int xi = ((n * g.Height + oh * g.Stride + i - g.PadTop) * g.Width + ow0 * g.Stride + j - g.PadLeft) * g.InChannels + c;
                int di = ((n * g.OutHeight + oh) * g.OutWidth + ow0) * g.OutChannels + o;
                for (int ow = ow0; ow < ow1; ow++, xi += g.Stride * g.InChannels, di += g.OutChannels) sum += x[xi] * dy[di];
            }
        dw[u] = sum;
    }

    static int Min(int a, int b) => a < b ? a : b;
    static int CeilDiv(int a, int b) => (a + b - 1) / b;
    static int Max(int a, int b) => a > b ? a : b;
}

/// <summary>The convolution kernels a plan launches: blocked, or one work-item per output (or input, or weight) element.</summary>
public sealed record Conv2dKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dShape> Forward,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dShape> BackwardData,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, Conv2dShape> BackwardWeights) : IKernelFamily
{
    public static Conv2dKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(Conv2d.ForwardBlocked, Conv2d.BackwardDataBlocked, Conv2d.BackwardWeightsBlocked)
        : new(Conv2d.Forward, Conv2d.BackwardData, Conv2d.BackwardWeights);

    public IEnumerable<Delegate?> Kernels => [Forward, BackwardData, BackwardWeights];

    public IKernelFamily Load(IKernelLoader l) => new Conv2dKernels(l.Load(Forward), l.Load(BackwardData), l.Load(BackwardWeights));
}
