using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// The contrastive pair losses (bounded Q and margin), forward and backward in one call: the reference backend's part
// (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count)
    {
        BackendContract.PairLoss(kind, dist, labels, loss, dDist, count);
        var e = D(dist, count);
        var y = Host(labels).Span[..count].ToArray();
        var l = new double[count];
        var g = new double[count];
        if (kind == LossKind.ContrastiveBounded)
        {
            Ref.ContrastiveLoss.BoundedForward(e, y, l, count, parameter);
            Ref.ContrastiveLoss.BoundedBackward(e, y, g, count, parameter);
        }
        else
        {
            Ref.ContrastiveLoss.MarginForward(e, y, l, count, parameter);
            Ref.ContrastiveLoss.MarginBackward(e, y, g, count, parameter);
        }
        Put(loss, l);
        Put(dDist, g);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels, DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count) =>
        inner.PairLoss(kind, parameter, dist, labels, loss, dDist, count);
}
