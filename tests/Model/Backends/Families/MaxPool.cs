using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// Max-pooling over channels-last images: forward with the winners, backward routed to them: the reference backend's
// part (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolForward(x, y, winner, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels;
        var yd = new double[outN];
        var at = new int[outN];
        Ref.MaxPool.Forward(D(x, images * height * width * channels), yd, at, images, height, width, channels);
        Put(y, yd);
        at.CopyTo(Host(winner).Span);
    }

    public void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolBackward(dy, winner, dx, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels;
        var d = new double[images * height * width * channels];
        Ref.MaxPool.Backward(D(dy, outN), Host(winner).Span[..outN].ToArray(), d, images, height, width, channels);
        Put(dx, d);
    }

    public void MaxPoolWindowForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, PoolGeometry g)
    {
        BackendContract.MaxPoolWindowForward(x, y, winner, g);
        var yd = new double[g.Images * g.OutSize];
        var at = new int[yd.Length];
        Ref.MaxPool.WindowForward(D(x, g.Images * g.InSize), yd, at, g);
        Put(y, yd);
        at.CopyTo(Host(winner).Span);
    }

    public void MaxPoolWindowBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, PoolGeometry g)
    {
        BackendContract.MaxPoolWindowBackward(dy, winner, dx, g);
        var d = new double[g.Images * g.InSize];
        Ref.MaxPool.WindowBackward(D(dy, g.Images * g.OutSize), Host(winner).Span[..(g.Images * g.OutSize)].ToArray(), d, g);
        Put(dx, d);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, int images, int height, int width, int channels) =>
        inner.MaxPoolForward(x, y, winner, images, height, width, channels);

    public virtual void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, int images, int height, int width, int channels) =>
        inner.MaxPoolBackward(dy, winner, dx, images, height, width, channels);

    public virtual void MaxPoolWindowForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, PoolGeometry g) =>
        Inner.MaxPoolWindowForward(x, y, winner, g);

    public virtual void MaxPoolWindowBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, PoolGeometry g) =>
        Inner.MaxPoolWindowBackward(dy, winner, dx, g);
}
