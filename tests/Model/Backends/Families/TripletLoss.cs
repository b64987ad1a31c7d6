using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// The triplet loss max(d(a,p) − d(a,n) + m, 0), forward and backward in one call: the reference backend's part (double
// precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps)
    {
        BackendContract.TripletLoss(emb, loss, dEmb, triplets, dim);
        var e = D(emb, 3 * triplets * dim);
        var l = new double[triplets];
        var g = new double[3 * triplets * dim];
        Ref.TripletLoss.Forward(e, l, triplets, dim, margin, eps);
        Ref.TripletLoss.Backward(e, g, triplets, dim, margin, eps);
        Put(loss, l);
        Put(dEmb, g);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim, float margin, float eps) =>
        inner.TripletLoss(emb, loss, dEmb, triplets, dim, margin, eps);
}
