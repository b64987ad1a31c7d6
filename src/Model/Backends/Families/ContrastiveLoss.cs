using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// The contrastive pair losses (bounded Q and margin), forward and backward in one call: the family's operations of
// IBackend, their checks in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/ContrastiveLoss.cs; the reference backend's part: tests/Model/Backends/Families/ContrastiveLoss.cs).

public partial interface IBackend
{
    /// <summary>
    /// Forward and backward of a pair loss in one call: loss[p] as the reference's *Forward,
    /// dDist[p] as its *Backward (already divided by <paramref name="count"/>). <paramref name="kind"/> is
    /// <see cref="LossKind.ContrastiveBounded"/> or <see cref="LossKind.ContrastiveMargin"/>; the triplet loss is
    /// <see cref="TripletLoss"/>.
    /// </summary>
    void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count);
}

public static partial class BackendContract
{
    public static void PairLoss(LossKind kind, DeviceBuffer<float> dist, DeviceBuffer<int> labels, DeviceBuffer<float> loss,
        DeviceBuffer<float> dDist, int count)
    {
        if (kind is not (LossKind.ContrastiveBounded or LossKind.ContrastiveMargin))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a pair loss (the triplet loss is TripletLoss)");
        Sizes((count, nameof(count)));
        Holds(dist, count, nameof(dist)); Holds(labels, count, nameof(labels)); Holds(loss, count, nameof(loss)); Holds(dDist, count, nameof(dDist));
        Apart(loss, count, nameof(loss), (dist, count, nameof(dist)), (dDist, count, nameof(dDist)));
        Apart(dDist, count, nameof(dDist), (dist, count, nameof(dist)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count)
    {
        BackendContract.PairLoss(kind, dist, labels, loss, dDist, count);
        var d = Own(dist, nameof(dist)).Span;
        var l = Own(labels, nameof(labels)).Span;
        var lo = Own(loss, nameof(loss)).Span;
        var g = Own(dDist, nameof(dDist)).Span;
        switch (kind)
        {
            case LossKind.ContrastiveBounded: SimdKernels.ContrastiveLoss.Bounded(d, l, lo, g, 0, count, count, parameter); break;
            case LossKind.ContrastiveMargin: SimdKernels.ContrastiveLoss.Margin(d, l, lo, g, 0, count, count, parameter); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown pair loss");
        }
    }
}

public sealed partial class IlgpuBackend
{
    public void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count)
    {
        BackendContract.PairLoss(kind, dist, labels, loss, dDist, count);
        var s = new LossShape(kind == LossKind.ContrastiveBounded ? 0 : 1, parameter, count, rt.Plan.Split(count));
        if (count == 0) return;
        K<ContrastiveLossKernels>().ForwardBackward(s.Work.Threads, Of(dist).View, Of(labels).View, Of(loss).View, Of(dDist).View, s);
    }
}
