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

/// <summary>The max-pool kernels a plan launches: blocked, or one work-item per output (forward) or input (backward) element.</summary>
public sealed record MaxPoolKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, PoolShape> Forward,
    Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolShape> Backward) : IKernelFamily
{
    public static MaxPoolKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(MaxPool.ForwardBlocked, MaxPool.BackwardBlocked)
        : new(MaxPool.Forward, MaxPool.Backward);

    public IEnumerable<Delegate?> Kernels => [Forward, Backward];

    public IKernelFamily Load(IKernelLoader l) => new MaxPoolKernels(l.Load(Forward), l.Load(Backward));
}
