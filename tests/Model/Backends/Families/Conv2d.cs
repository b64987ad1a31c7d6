using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// The k×k convolution over channels-last images: forward, dX and dW/db: the reference backend's part (double precision)
// and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g, act);
        var yd = new double[g.Images * g.OutSize];
        Ref.Conv2d.Forward(D(x, g.Images * g.InSize), D(w, g.WeightCount), D(b, g.OutChannels), yd, g, act);
        Put(y, yd);
    }

    public void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardData(dy, w, dx, g);
        var d = new double[g.Images * g.InSize];
        Ref.Conv2d.BackwardData(D(dy, g.Images * g.OutSize), D(w, g.WeightCount), d, g);
        Put(dx, d);
    }

    public void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardWeights(x, dy, dw, db, g);
        var wd = new double[g.WeightCount];
        var bd = new double[g.OutChannels];
        Ref.Conv2d.BackwardWeights(D(x, g.Images * g.InSize), D(dy, g.Images * g.OutSize), wd, bd, g);
        Put(dw, wd);
        Put(db, bd);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y, Conv2dGeometry g, Activation act) =>
        inner.Conv2dForward(x, w, b, y, g, act);

    public virtual void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g) =>
        inner.Conv2dBackwardData(dy, w, dx, g);

    public virtual void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db, Conv2dGeometry g) =>
        inner.Conv2dBackwardWeights(x, dy, dw, db, g);
}
