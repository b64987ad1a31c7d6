using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// The pair distance E = sqrt(max(Σ(a−b)², eps)) of the 2B embedding rows, and its gradient: the family's operations of
// IBackend, their checks in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/PairDistance.cs; the reference backend's part: tests/Model/Backends/Families/PairDistance.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.PairDistance.Forward"/>.</summary>
    void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps);

    /// <summary>Reference: <see cref="Kernels.Reference.PairDistance.Backward"/>.</summary>
    void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps);
}

public static partial class BackendContract
{
    public static void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim)
    {
        Sizes((pairs, nameof(pairs)), (dim, nameof(dim)));
        Holds(emb, 2L * pairs * dim, nameof(emb)); Holds(dist, pairs, nameof(dist));
        Apart(dist, pairs, nameof(dist), (emb, 2L * pairs * dim, nameof(emb)));
    }

    public static void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim)
    {
        Sizes((pairs, nameof(pairs)), (dim, nameof(dim)));
        Holds(emb, 2L * pairs * dim, nameof(emb)); Holds(dist, pairs, nameof(dist)); Holds(dDist, pairs, nameof(dDist));
        Holds(dEmb, 2L * pairs * dim, nameof(dEmb));
        Apart(dEmb, 2L * pairs * dim, nameof(dEmb), (emb, 2L * pairs * dim, nameof(emb)), (dist, pairs, nameof(dist)), (dDist, pairs, nameof(dDist)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceForward(emb, dist, pairs, dim);
        float* ep = Own(emb, nameof(emb)).Pointer, dp = Own(dist, nameof(dist)).Pointer;
        var sw = width;
        Split(pairs, 1, 3L * pairs * dim, (s, e, _) => SimdKernels.PairDistance.Forward(sw, ep, dp, s, e, pairs, dim, eps));
    }

    public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim);
        float* ep = Own(emb, nameof(emb)).Pointer, dp = Own(dist, nameof(dist)).Pointer;
        float* ddp = Own(dDist, nameof(dDist)).Pointer, gp = Own(dEmb, nameof(dEmb)).Pointer;
        var sw = width;
        Split(pairs, 1, 5L * pairs * dim, (s, e, _) => SimdKernels.PairDistance.Backward(sw, ep, dp, ddp, gp, s, e, pairs, dim, eps));
    }
}

public sealed partial class IlgpuBackend
{
    public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceForward(emb, dist, pairs, dim);
        var s = new PairShape(pairs, dim, eps, rt.Plan.Split(pairs));
        if (pairs == 0) return;
        K<PairDistanceKernels>().Forward(s.Work.Threads, Of(emb).View, Of(dist).View, s);
    }

    public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim);
        var s = new PairShape(pairs, dim, eps, rt.Plan.Split(pairs));
        if (pairs == 0) return;
        K<PairDistanceKernels>().Backward(s.Work.Threads, Of(emb).View, Of(dist).View, Of(dDist).View, Of(dEmb).View, s);
    }
}
