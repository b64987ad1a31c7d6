using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Shape of a global-pool launch: images, pixels per image, channels, and the work split.</summary>
public readonly struct GlobalPoolShape
{
    public readonly int Images, Pixels, Channels;
    public readonly WorkSplit Work;

    public GlobalPoolShape(int images, int pixels, int channels, WorkSplit work)
    {
        Images = images; Pixels = pixels; Channels = channels; Work = work;
    }
}

/// <summary>
/// Global average pooling (twins of <see cref="Reference.GlobalPool"/>): forward one unit per (image, channel) summing
/// its pixels in order and scaling by 1/P once; backward one unit per input element. <c>*Blocked</c>: a block per thread.
/// </summary>
public static class GlobalPool
{
    public static void AverageForward(Index1D unit, ArrayView<float> x, ArrayView<float> y, GlobalPoolShape s) => ForwardAt(unit, x, y, s);

    public static void AverageForwardBlocked(Index1D thread, ArrayView<float> x, ArrayView<float> y, GlobalPoolShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) ForwardAt(u, x, y, s);
    }

    static void ForwardAt(int u, ArrayView<float> x, ArrayView<float> y, GlobalPoolShape s)
    {
        int c = u % s.Channels, n = u / s.Channels;
        float sum = 0f;
        for (int p = 0, i = n * s.Pixels * s.Channels + c; p < s.Pixels; p++, i += s.Channels) sum += x[i];
        y[u] = sum * (1f / s.Pixels);
    }

    public static void AverageBackward(Index1D unit, ArrayView<float> dy, ArrayView<float> dx, GlobalPoolShape s) => BackwardAt(unit, dy, dx, s);

    public static void AverageBackwardBlocked(Index1D thread, ArrayView<float> dy, ArrayView<float> dx, GlobalPoolShape s)
    {
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++) BackwardAt(u, dy, dx, s);
    }

    static void BackwardAt(int u, ArrayView<float> dy, ArrayView<float> dx, GlobalPoolShape s)
    {
        int c = u % s.Channels, n = u / (s.Pixels * s.Channels);
        dx[u] = dy[n * s.Channels + c] * (1f / s.Pixels);
    }
}

/// <summary>The global-pool kernels a plan launches: blocked, or one work-item per unit.</summary>
public sealed record GlobalPoolKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, GlobalPoolShape> AverageForward,
    Action<Index1D, ArrayView<float>, ArrayView<float>, GlobalPoolShape> AverageBackward) : IKernelFamily
{
    public static GlobalPoolKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(GlobalPool.AverageForwardBlocked, GlobalPool.AverageBackwardBlocked)
        : new(GlobalPool.AverageForward, GlobalPool.AverageBackward);

    public IEnumerable<Delegate?> Kernels => [AverageForward, AverageBackward];

    public IKernelFamily Load(IKernelLoader l) => new GlobalPoolKernels(l.Load(AverageForward), l.Load(AverageBackward));
}
