using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

// The dense layer: y = act(x·W + b) forward, the activation's derivative, dX and dW/db: the family's operations of
// IBackend, their checks in BackendContract, and the SIMD and ILGPU backends' implementations, in one place (kernels:
// src/Kernels/*/Dense.cs; the reference backend's part: tests/Model/Backends/Families/Dense.cs).

public partial interface IBackend
{
    /// <summary>Reference: <see cref="Kernels.Reference.Dense.Forward"/>; the fused activation is ReLU or identity (others are layers of their own).</summary>
    void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act);

    /// <summary>Reference: <see cref="Kernels.Reference.Dense.ActivationBackward"/> (in place on dy; every <see cref="Activation"/>).</summary>
    void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act);

    /// <summary>Reference: <see cref="Kernels.Reference.Dense.BackwardData"/>.</summary>
    void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW);

    /// <summary>Reference: <see cref="Kernels.Reference.Dense.BackwardWeights"/>.</summary>
    void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW);
}

public static partial class BackendContract
{
    public static void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        Fused(act);
        Sizes((rows, nameof(rows)), (inW, nameof(inW)), (outW, nameof(outW)));
        Holds(x, (long)rows * inW, nameof(x)); Holds(w, (long)inW * outW, nameof(w)); Holds(b, outW, nameof(b));
        Holds(y, (long)rows * outW, nameof(y));
        Apart(y, (long)rows * outW, nameof(y), (x, (long)rows * inW, nameof(x)), (w, (long)inW * outW, nameof(w)), (b, outW, nameof(b)));
    }

    public static void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n)
    {
        Sizes((n, nameof(n)));
        Holds(y, n, nameof(y)); Holds(dy, n, nameof(dy));
        Apart(dy, n, nameof(dy), (y, n, nameof(y)));
    }

    public static void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        Sizes((rows, nameof(rows)), (inW, nameof(inW)), (outW, nameof(outW)));
        Holds(dy, (long)rows * outW, nameof(dy)); Holds(w, (long)inW * outW, nameof(w)); Holds(dx, (long)rows * inW, nameof(dx));
        Apart(dx, (long)rows * inW, nameof(dx), (dy, (long)rows * outW, nameof(dy)), (w, (long)inW * outW, nameof(w)));
    }

    public static void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        Sizes((rows, nameof(rows)), (inW, nameof(inW)), (outW, nameof(outW)));
        Holds(x, (long)rows * inW, nameof(x)); Holds(dy, (long)rows * outW, nameof(dy));
        Holds(dw, (long)inW * outW, nameof(dw)); Holds(db, outW, nameof(db));
        Apart(dw, (long)inW * outW, nameof(dw), (x, (long)rows * inW, nameof(x)), (dy, (long)rows * outW, nameof(dy)), (db, outW, nameof(db)));
        Apart(db, outW, nameof(db), (x, (long)rows * inW, nameof(x)), (dy, (long)rows * outW, nameof(dy)));
    }
}

public sealed unsafe partial class SimdBackend
{
    public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        BackendContract.DenseForward(x, w, b, y, rows, inW, outW, act);
        float* xp = Own(x, nameof(x)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* bp = Own(b, nameof(b)).Pointer, yp = Own(y, nameof(y)).Pointer;
        if (SimdKernels.Dense.Packs(rows, outW, inW))
        {
            PackedProduct(xp, inW, 1, wp, outW, 1, bp, yp, rows, outW, inW, act == Activation.Relu, null);
            return;
        }
        var sw = width;
        Split(rows, 4, 2L * rows * inW * outW, (s, e, _) => SimdKernels.Dense.Forward(sw, xp, wp, bp, yp, s, e, inW, outW, act));
    }

    public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act)
    {
        BackendContract.ActivationBackward(y, dy, n);
        float* yp = Own(y, nameof(y)).Pointer, dp = Own(dy, nameof(dy)).Pointer;
        var sw = width;
        if (act is Activation.Sigmoid or Activation.Tanh)
            SplitElements(n, (s, e) => SimdKernels.Activations.SmoothBackward(yp, dp, s, e, act));
        else
            SplitElements(n, (s, e) => SimdKernels.Dense.ActivationBackward(sw, yp, dp, s, e, act));
    }

    public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardData(dy, w, dx, rows, inW, outW);
        float* dyp = Own(dy, nameof(dy)).Pointer, wp = Own(w, nameof(w)).Pointer;
        float* dxp = Own(dx, nameof(dx)).Pointer;
        if (SimdKernels.Dense.Packs(rows, inW, outW))
        {
            // B = Wᵀ read through W's strides: packing transposes it panel by panel.
            PackedProduct(dyp, outW, 1, wp, 1, outW, null, dxp, rows, inW, outW, false, null);
            return;
        }
        // dX = dY·Wᵀ runs through the forward tile on Wᵀ, transposed once per call on this thread.
        float* wT = transposed.Get(inW * outW);
        SimdKernels.Dense.Transpose(wp, wT, inW, outW);
        var sw = width;
        Split(rows, 4, 2L * rows * inW * outW, (s, e, _) => SimdKernels.Dense.BackwardData(sw, dyp, wT, dxp, s, e, inW, outW));
    }

    public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
        float* xp = Own(x, nameof(x)).Pointer, dyp = Own(dy, nameof(dy)).Pointer;
        float* dwp = Own(dw, nameof(dw)).Pointer, dbp = Own(db, nameof(db)).Pointer;
        if (SimdKernels.Dense.Packs(inW, outW, rows, transposedA: true))
        {
            // dW = Xᵀ·dY with A = Xᵀ read through X's strides; db summed from dY while it is packed.
            PackedProduct(xp, 1, inW, dyp, outW, 1, null, dwp, inW, outW, rows, false, dbp);
            return;
        }
        var sw = width;
        // Threads split the rows of dW (the inputs); whoever takes the first piece also sums db.
        Split(inW, 4, 2L * rows * inW * outW, (s, e, _) =>
        {
            SimdKernels.Dense.BackwardWeights(sw, xp, dyp, dwp, s, e, rows, inW, outW);
            if (s == 0) SimdKernels.Dense.BiasGradient(sw, dyp, dbp, rows, outW);
        });
    }
}

public sealed partial class IlgpuBackend
{
    public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        BackendContract.DenseForward(x, w, b, y, rows, inW, outW, act);
        int relu = act == Activation.Relu ? 1 : 0;
        ArrayView<float> xv = Of(x).View, wv = Of(w).View;
        var launch = KernelVariants.DenseForward(rt.Plan, rows, inW, outW, Of(x).Offset, Of(w).Offset);
        var s = new DenseShape(rows, inW, outW, relu, rt.Plan.Split(launch.Units));
        if (launch.Units == 0) return;
        switch (launch.Variant)
        {
            case DenseVariant.Rows4Out4: K<DenseKernels>().ForwardOut4!(s.Work.Threads, xv, wv.Cast<Float4>(), Of(b).View, Of(y).View, s); break;
            case DenseVariant.Tile4x4Vec4: K<DenseKernels>().ForwardVec4!(s.Work.Threads, xv.Cast<Float4>(), wv.Cast<Float4>(), Of(b).View, Of(y).View, s); break;
            default: K<DenseKernels>().Forward(s.Work.Threads, xv, wv, Of(b).View, Of(y).View, s); break;
        }
    }

    public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act)
    {
        BackendContract.ActivationBackward(y, dy, n);
        if (act == Activation.Identity || n == 0) return;
        var work = rt.Plan.Split(n);
        if (act == Activation.Relu) K<DenseKernels>().ReluBackward(work.Threads, Of(y).View, Of(dy).View, work);
        else K<ActivationKernels>().SmoothBackward(work.Threads, Of(y).View, Of(dy).View, new ActivationArgs(act, work));
    }

    public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardData(dy, w, dx, rows, inW, outW);
        var launch = KernelVariants.DenseBackwardData(rt.Plan, rows, inW);
        var s = new DenseShape(rows, inW, outW, 0, rt.Plan.Split(launch.Units));
        if (launch.Units == 0) return;
        K<DenseKernels>().BackwardData(s.Work.Threads, Of(dy).View, Of(w).View, Of(dx).View, s);
    }

    public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
        ArrayView<float> xv = Of(x).View, dyv = Of(dy).View;
        var launch = KernelVariants.DenseBackwardWeights(rt.Plan, inW, outW, Of(x).Offset, Of(dy).Offset);
        var s = new DenseShape(rows, inW, outW, 0, rt.Plan.Split(launch.Units));
        if (launch.Units == 0) return;
        switch (launch.Variant)
        {
            case DenseVariant.Rows4Out4: K<DenseKernels>().BackwardWeightsOut4!(s.Work.Threads, xv, dyv.Cast<Float4>(), Of(dw).View, Of(db).View, s); break;
            case DenseVariant.Tile4x4Vec4: K<DenseKernels>().BackwardWeightsVec4!(s.Work.Threads, xv.Cast<Float4>(), dyv.Cast<Float4>(), Of(dw).View, Of(db).View, s); break;
            default: K<DenseKernels>().BackwardWeights(s.Work.Threads, xv, dyv, Of(dw).View, Of(db).View, s); break;
        }
    }
}
