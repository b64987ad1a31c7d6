using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// The triplet loss max(d(a,p) − d(a,n) + m, 0), forward and backward in one call: the family's operations of IBackend,
// their checks in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/TripletLoss.cs; the reference backend's part: tests/Model/Backends/Families/TripletLoss.cs).

public partial interface IBackend
{
    /// <summary>
    /// Triplet loss forward and backward in one call. Reference: <see cref="Kernels.Reference.TripletLoss.Forward"/>
    /// (loss[t] for t &lt; triplets) and <see cref="Kernels.Reference.TripletLoss.Backward"/> (dEmb of the mean over the
    /// triplets, overwritten). emb and dEmb hold 3·triplets rows of width dim: anchors, positives, negatives.
    /// </summary>
    void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps);
}

public static partial class BackendContract
{
    public static void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim)
    {
        Sizes((triplets, nameof(triplets)), (dim, nameof(dim)));
        Holds(emb, 3L * triplets * dim, nameof(emb)); Holds(loss, triplets, nameof(loss)); Holds(dEmb, 3L * triplets * dim, nameof(dEmb));
        Apart(loss, triplets, nameof(loss), (emb, 3L * triplets * dim, nameof(emb)), (dEmb, 3L * triplets * dim, nameof(dEmb)));
        Apart(dEmb, 3L * triplets * dim, nameof(dEmb), (emb, 3L * triplets * dim, nameof(emb)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps)
    {
        BackendContract.TripletLoss(emb, loss, dEmb, triplets, dim);
        float* ep = Own(emb, nameof(emb)).Pointer, lp = Own(loss, nameof(loss)).Pointer;
        float* gp = Own(dEmb, nameof(dEmb)).Pointer;
        var sw = width;
        Split(triplets, 1, 9L * triplets * dim, (s, e, _) => SimdKernels.TripletLoss.ForwardBackward(sw, ep, lp, gp, s, e, triplets, dim, margin, eps));
    }
}

public sealed partial class IlgpuBackend
{
    public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps)
    {
        BackendContract.TripletLoss(emb, loss, dEmb, triplets, dim);
        var s = new TripletShape(triplets, dim, margin, eps, rt.Plan.Split(triplets));
        if (triplets == 0) return;
        K<TripletLossKernels>().ForwardBackward(s.Work.Threads, Of(emb).View, Of(loss).View, Of(dEmb).View, s);
    }
}
