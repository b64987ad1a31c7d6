using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Shape of a max-pool launch: input [Images, Height, Width, Channels] and the work split.</summary>
public readonly struct PoolShape
{
    public readonly int Images, Height, Width, Channels;
    public readonly WorkSplit Work;

    public PoolShape(int images, int height, int width, int channels, WorkSplit work)
    {
        Images = images; Height = height; Width = width; Channels = channels; Work = work;
    }
}

/// <summary>
/// 2×2 stride-2 max-pooling kernels (twins of <see cref="Reference.MaxPool"/>, channels last, winner 0..3 =
/// 2·di + dj of the first maximum, outputs overwritten). One unit per output element (forward) or per input
/// element (backward, so that every dX element is written without atomics); <c>*Blocked</c> walks a block per thread.
/// </summary>
public static class MaxPool
{
    /// <summary>Y[n,p,q,c] = max_{di,dj} X[n, 2p+di, 2q+dj, c], winner as above. Units = Images·(H/2)·(W/2)·C.</summary>
    public static void Forward(Index1D unit, ArrayView<float> x, ArrayView<float> y, ArrayView<int> winner, PoolShape s) =>
        ForwardAt(unit, x, y, winner, s);

    /// <summary>As <see cref="Forward"/>, a block of units per thread.</summary>
    public static void ForwardBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> y, ArrayView<int> winner, PoolShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) ForwardAt(u, x, y, winner, s);
    }

    static void ForwardAt(int u, ArrayView<float> x, ArrayView<float> y, ArrayView<int> winner, PoolShape s)
    {
        int ph = s.Height / 2, pw = s.Width / 2;
        int c = u % s.Channels, rest = u / s.Channels;
        int q = rest % pw; rest /= pw;
        int p = rest % ph, n = rest / ph;
        int a = ((n * s.Height + 2 * p) * s.Width + 2 * q) * s.Channels + c, row = s.Width * s.Channels;
        float best = x[a];
        int at = 0;
        float v = x[a + s.Channels];
        if (v > best) { best = v; at = 1; }
        v = x[a + row];
        if (v > best) { best = v; at = 2; }
        v = x[a + row + s.Channels];
        if (v > best) { best = v; at = 3; }
        y[u] = best;
        winner[u] = at;
    }

    /// <summary>dX[n,h,w,c] = dY[n,h/2,w/2,c] where (h,w) won its window, else 0 (dropped odd rows/columns too). Units = Images·H·W·C.</summary>
    public static void Backward(Index1D unit, ArrayView<float> dy, ArrayView<int> winner, ArrayView<float> dx, PoolShape s) =>
        BackwardAt(unit, dy, winner, dx, s);

    /// <summary>As <see cref="Backward"/>, a block of units per thread.</summary>
    public static void BackwardBlocked(Index1D thread, ArrayView<float> dy, ArrayView<int> winner, ArrayView<float> dx, PoolShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) BackwardAt(u, dy, winner, dx, s);
    }

    static void BackwardAt(int u, ArrayView<float> dy, ArrayView<int> winner, ArrayView<float> dx, PoolShape s)
    {
        int ph = s.Height / 2, pw = s.Width / 2;
        int c = u % s.Channels, rest = u / s.Channels;
        int v = rest % s.Width; rest /= s.Width;
        int h = rest % s.Height, n = rest / s.Height;
        int p = h / 2, q = v / 2;
        float g = 0f;
        if (p < ph && q < pw)
        {
            int o = ((n * ph + p) * pw + q) * s.Channels + c;
            if (winner[o] == 2 * (h - 2 * p) + v - 2 * q) g = dy[o];
        }
        dx[u] = g;
    }
}

/// <summary>Shape of a k×k / s / p max-pool launch: the geometry and the work split.</summary>
public readonly struct WindowShape
{
    public readonly PoolGeometry G;
    public readonly WorkSplit Work;

    public WindowShape(PoolGeometry g, WorkSplit work)
    {
        G = g; Work = work;
    }
}

/// <summary>
/// k×k / s / p max-pooling kernels (twins of <see cref="Reference.MaxPool.WindowForward"/> and
/// <see cref="Reference.MaxPool.WindowBackward"/>): one unit per output element forward, one per input element backward,
/// gathering the windows that hold it in (oh, ow) order, so that windows overlapping at s &lt; k need no atomics.
/// </summary>
public static class MaxPoolWindow
{
    /// <summary>Units = Images·OH·OW·C.</summary>
    public static void Forward(Index1D unit, ArrayView<float> x, ArrayView<float> y, ArrayView<int> winner, WindowShape s) =>
        ForwardAt(unit, x, y, winner, s.G);

    public static void ForwardBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> y, ArrayView<int> winner, WindowShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) ForwardAt(u, x, y, winner, s.G);
    }

    static void ForwardAt(int u, ArrayView<float> x, ArrayView<float> y, ArrayView<int> winner, PoolGeometry g)
    {
        int c = u % g.Channels, pixel = u / g.Channels;
        int ow = pixel % g.OutWidth, rest = pixel / g.OutWidth;
        int oh = rest % g.OutHeight, n = rest / g.OutHeight;
        int top = oh * g.Stride - g.Pad, left = ow * g.Stride - g.Pad;
        float best = 0f;
        int at = -1;
        for (int i = 0; i < g.Kernel; i++)
        {
            int h = top + i;
            if (h < 0 || h >= g.Height) continue;
            for (int j = 0; j < g.Kernel; j++)
            {
                int v = left + j;
                if (v < 0 || v >= g.Width) continue;
                float value = x[((n * g.Height + h) * g.Width + v) * g.Channels + c];
                if (at < 0 || value > best)
                {
                    best = value;
                    at = i * g.Kernel + j;
                }
            }
        }
        y[u] = best;
        winner[u] = at;
    }

    /// <summary>Units = Images·H·W·C.</summary>
    public static void Backward(Index1D unit, ArrayView<float> dy, ArrayView<int> winner, ArrayView<float> dx, WindowShape s) =>
        BackwardAt(unit, dy, winner, dx, s.G);

    public static void BackwardBlocked(Index1D thread, ArrayView<float> dy, ArrayView<int> winner, ArrayView<float> dx, WindowShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) BackwardAt(u, dy, winner, dx, s.G);
    }

    static void BackwardAt(int u, ArrayView<float> dy, ArrayView<int> winner, ArrayView<float> dx, PoolGeometry g)
    {
        int c = u % g.Channels, pixel = u / g.Channels;
        int v = pixel % g.Width, rest = pixel / g.Width;
        int h = rest % g.Height, n = rest / g.Height;
        int k = g.Kernel, st = g.Stride;
        int oh0 = Max(0, CeilDiv(h + g.Pad - k + 1, st)), oh1 = Min(g.OutHeight - 1, (h + g.Pad) / st);
        int ow0 = Max(0, CeilDiv(v + g.Pad - k + 1, st)), ow1 = Min(g.OutWidth - 1, (v + g.Pad) / st);
        float sum = 0f;
        for (int oh = oh0; oh <= oh1; oh++)
            for (int ow = ow0; ow <= ow1; ow++)
            {
                int o = ((n * g.OutHeight + oh) * g.OutWidth + ow) * g.Channels + c;
                if (winner[o] == (h - oh * st + g.Pad) * k + v - ow * st + g.Pad) sum += dy[o];
            }
        dx[u] = sum;
    }

    static int Min(int a, int b) => a < b ? a : b;
    static int Max(int a, int b) => a > b ? a : b;
    static int CeilDiv(int a, int b) => a > 0 ? (a + b - 1) / b : -(-a / b);
}

/// <summary>The max-pool kernels a plan launches: blocked, or one work-item per output (forward) or input (backward) element.</summary>
public sealed record MaxPoolKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, PoolShape> Forward,
    Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolShape> Backward,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, WindowShape> WindowForward,
    Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, WindowShape> WindowBackward) : IKernelFamily
{
    public static MaxPoolKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(MaxPool.ForwardBlocked, MaxPool.BackwardBlocked, MaxPoolWindow.ForwardBlocked, MaxPoolWindow.BackwardBlocked)
        : new(MaxPool.Forward, MaxPool.Backward, MaxPoolWindow.Forward, MaxPoolWindow.Backward);

    public IEnumerable<Delegate?> Kernels => [Forward, Backward, WindowForward, WindowBackward];

    public IKernelFamily Load(IKernelLoader l) =>
        new MaxPoolKernels(l.Load(Forward), l.Load(Backward), l.Load(WindowForward), l.Load(WindowBackward));
}
