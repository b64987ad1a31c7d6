using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Sums of a buffer (the loss, the gradient norm): the reference backend's part (double precision) and the delegating
// backend's.

public sealed partial class ReferenceBackend
{
    public float Sum(DeviceBuffer<float> x, int n)
    {
        BackendContract.Reduction(x, n);
        return (float)Ref.Reductions.Sum(D(x, n), n);
    }

    public float SumOfSquares(DeviceBuffer<float> x, int n)
    {
        BackendContract.Reduction(x, n);
        return (float)Ref.Reductions.SumOfSquares(D(x, n), n);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual float Sum(DeviceBuffer<float> x, int n) => inner.Sum(x, n);

    public virtual float SumOfSquares(DeviceBuffer<float> x, int n) => inner.SumOfSquares(x, n);
}
