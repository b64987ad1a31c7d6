using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>
/// Element-wise sums and copies (twins of <see cref="Reference.Elementwise"/>). Units are elements: a block per thread
/// in <c>*Blocked</c> (the CPU accelerator), else one per work-item.
/// </summary>
public static class Elementwise
{
    /// <summary>y[i] = a[i] + b[i], a block of elements per thread.</summary>
    public static void AddBlocked(Index1D thread, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, WorkSplit work)
    {
        for (int i = work.Begin(thread), end = work.End(thread); i < end; i++) y[i] = a[i] + b[i];
    }

    /// <summary>y[i] = a[i] + b[i], one element per work-item.</summary>
    public static void Add(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, WorkSplit work) => y[i] = a[i] + b[i];

    /// <summary>dst[i] ← dst[i] + src[i], a block of elements per thread.</summary>
    public static void AccumulateBlocked(Index1D thread, ArrayView<float> src, ArrayView<float> dst, WorkSplit work)
    {
        for (int i = work.Begin(thread), end = work.End(thread); i < end; i++) dst[i] += src[i];
    }

    /// <summary>dst[i] ← dst[i] + src[i], one element per work-item.</summary>
    public static void Accumulate(Index1D i, ArrayView<float> src, ArrayView<float> dst, WorkSplit work) => dst[i] += src[i];

    /// <summary>dst[i] = src[i], a block of elements per thread.</summary>
    public static void CopyBlocked(Index1D thread, ArrayView<float> src, ArrayView<float> dst, WorkSplit work)
    {
        for (int i = work.Begin(thread), end = work.End(thread); i < end; i++) dst[i] = src[i];
    }

    /// <summary>dst[i] = src[i], one element per work-item.</summary>
    public static void Copy(Index1D i, ArrayView<float> src, ArrayView<float> dst, WorkSplit work) => dst[i] = src[i];
}

/// <summary>The element-wise kernels a plan launches: blocked, or one work-item per element.</summary>
public sealed record ElementwiseKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WorkSplit> Add,
    Action<Index1D, ArrayView<float>, ArrayView<float>, WorkSplit> Accumulate,
    Action<Index1D, ArrayView<float>, ArrayView<float>, WorkSplit> Copy) : IKernelFamily
{
    public static ElementwiseKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(Elementwise.AddBlocked, Elementwise.AccumulateBlocked, Elementwise.CopyBlocked)
        : new(Elementwise.Add, Elementwise.Accumulate, Elementwise.Copy);

    public IEnumerable<Delegate?> Kernels => [Add, Accumulate, Copy];

    public IKernelFamily Load(IKernelLoader l) => new ElementwiseKernels(l.Load(Add), l.Load(Accumulate), l.Load(Copy));
}
