using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

// The dense layer: y = act(x·W + b) forward, the activation's derivative, dX and dW/db: the reference backend's part
// (double precision) and the delegating backend's.

public sealed partial class ReferenceBackend
{
    public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        BackendContract.DenseForward(x, w, b, y, rows, inW, outW, act);
        var yd = new double[rows * outW];
        Ref.Dense.Forward(D(x, rows * inW), D(w, inW * outW), D(b, outW), yd, rows, inW, outW, act);
        Put(y, yd);
    }

    public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act)
    {
        BackendContract.ActivationBackward(y, dy, n);
        var d = D(dy, n);
        Ref.Dense.ActivationBackward(D(y, n), d, n, act);
        Put(dy, d);
    }

    public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardData(dy, w, dx, rows, inW, outW);
        var d = new double[rows * inW];
        Ref.Dense.BackwardData(D(dy, rows * outW), D(w, inW * outW), d, rows, inW, outW);
        Put(dx, d);
    }

    public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
        var w = new double[inW * outW];
        var b = new double[outW];
        Ref.Dense.BackwardWeights(D(x, rows * inW), D(dy, rows * outW), w, b, rows, inW, outW);
        Put(dw, w);
        Put(db, b);
    }
}

public abstract partial class DelegatingBackend
{
    public virtual void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y, int rows, int inW, int outW, Activation act) =>
        inner.DenseForward(x, w, b, y, rows, inW, outW, act);

    public virtual void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act) =>
        inner.ActivationBackward(y, dy, n, act);

    public virtual void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW) =>
        inner.DenseBackwardData(dy, w, dx, rows, inW, outW);

    public virtual void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db, int rows, int inW, int outW) =>
        inner.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
}
