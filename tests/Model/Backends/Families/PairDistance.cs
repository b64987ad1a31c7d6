using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// The pair distance E = sqrt(max(Σ(a−b)², eps)) of the 2B embedding rows, and its gradient: the reference backend's
// part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceForward(emb, dist, pairs, dim);
        var d = new double[pairs];
        Ref.PairDistance.Forward(D(emb, 2 * pairs * dim), d, pairs, dim, eps);
        Put(dist, d);
    }

    public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim);
        var d = new double[2 * pairs * dim];
        Ref.PairDistance.Backward(D(emb, 2 * pairs * dim), D(dist, pairs), D(dDist, pairs), d, pairs, dim, eps);
        Put(dEmb, d);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps) =>
        inner.PairDistanceForward(emb, dist, pairs, dim, eps);

    public virtual void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist, DeviceBuffer<float> dEmb, int pairs, int dim, float eps) =>
        inner.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim, eps);
}
