using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Global average pooling: the reference backend's part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void GlobalAveragePoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int images, int pixels, int channels)
    {
        BackendContract.GlobalAveragePoolForward(x, y, images, pixels, channels);
        var yd = new double[images * channels];
        Ref.GlobalPool.AverageForward(D(x, images * pixels * channels), yd, images, pixels, channels);
        Put(y, yd);
    }

    public void GlobalAveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int images, int pixels, int channels)
    {
        BackendContract.GlobalAveragePoolBackward(dy, dx, images, pixels, channels);
        var d = new double[images * pixels * channels];
        Ref.GlobalPool.AverageBackward(D(dy, images * channels), d, images, pixels, channels);
        Put(dx, d);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void GlobalAveragePoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, int images, int pixels, int channels) =>
        Inner.GlobalAveragePoolForward(x, y, images, pixels, channels);

    public virtual void GlobalAveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int images, int pixels, int channels) =>
        Inner.GlobalAveragePoolBackward(dy, dx, images, pixels, channels);
}
