using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the dense layer (<see cref="ConformanceRows"/>).</summary>
public sealed class DenseRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("DenseForward rows", o => o.Backend.DenseForward(o.Random(20), o.Random(20), o.Random(5), o.Zeros(20), -1, 4, 5, Activation.Relu)),
        ("ActivationBackward n", o => o.Backend.ActivationBackward(o.Random(8), o.Random(8), -1, Activation.Relu)),
        ("DenseBackwardData outW", o => o.Backend.DenseBackwardData(o.Random(20), o.Random(20), o.Zeros(20), 2, 4, -1)),
        // A convolution's sizes travel in its geometry, which refuses a negative one before any backend sees it.
        ("DenseBackwardWeights inW", o => o.Backend.DenseBackwardWeights(o.Random(20), o.Random(20), o.Zeros(20), o.Zeros(5), 2, -1, 5)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("DenseForward", "x", o => o.Backend.DenseForward(o.Random(7), o.Random(12), o.Random(3), o.Zeros(6), 2, 4, 3, Activation.Relu)),
        ("DenseForward", "b", o => o.Backend.DenseForward(o.Random(8), o.Random(12), o.Random(2), o.Zeros(6), 2, 4, 3, Activation.Relu)),
        ("DenseForward", "w", o => o.Backend.DenseForward(o.Random(8), o.Random(11), o.Random(3), o.Zeros(6), 2, 4, 3, Activation.Relu)),
        ("DenseForward", "y", o => o.Backend.DenseForward(o.Random(8), o.Random(12), o.Random(3), o.Zeros(5), 2, 4, 3, Activation.Relu)),
        ("ActivationBackward", "dy", o => o.Backend.ActivationBackward(o.Random(8), o.Random(7), 8, Activation.Relu)),
        ("ActivationBackward", "y", o => o.Backend.ActivationBackward(o.Random(7), o.Random(8), 8, Activation.Relu)),
        ("DenseBackwardData", "dy", o => o.Backend.DenseBackwardData(o.Random(5), o.Random(12), o.Zeros(8), 2, 4, 3)),
        ("DenseBackwardData", "w", o => o.Backend.DenseBackwardData(o.Random(6), o.Random(11), o.Zeros(8), 2, 4, 3)),
        ("DenseBackwardWeights", "x", o => o.Backend.DenseBackwardWeights(o.Random(7), o.Random(6), o.Zeros(12), o.Zeros(3), 2, 4, 3)),
        ("DenseBackwardWeights", "dy", o => o.Backend.DenseBackwardWeights(o.Random(8), o.Random(5), o.Zeros(12), o.Zeros(3), 2, 4, 3)),
        ("DenseBackwardWeights", "dw", o => o.Backend.DenseBackwardWeights(o.Random(8), o.Random(6), o.Zeros(11), o.Zeros(3), 2, 4, 3)),
        ("DenseBackwardData", "dx", o => o.Backend.DenseBackwardData(o.Random(6), o.Random(12), o.Zeros(7), 2, 4, 3)),
        ("DenseBackwardWeights", "db", o => o.Backend.DenseBackwardWeights(o.Random(8), o.Random(6), o.Zeros(12), o.Zeros(2), 2, 4, 3)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("DenseForward y on x", "y", o => { var x = o.Random(12); o.Backend.DenseForward(x, o.Random(12), o.Random(3), x, 2, 4, 3, Activation.Relu); }),
        ("DenseForward y on part of x", "y", o => { var x = o.Random(20); o.Backend.DenseForward(x.Slice(0, 8), o.Random(12), o.Random(3), x.Slice(7, 6), 2, 4, 3, Activation.Identity); }),
        ("ActivationBackward dy on y", "dy", o => { var y = o.Random(8); o.Backend.ActivationBackward(y, y, 8, Activation.Relu); }),
        ("DenseBackwardData dx on dy", "dx", o => { var d = o.Random(8); o.Backend.DenseBackwardData(d, o.Random(12), d, 2, 4, 3); }),
        ("DenseBackwardWeights dw on db", "dw", o => { var g = o.Zeros(15); o.Backend.DenseBackwardWeights(o.Random(8), o.Random(6), g.Slice(0, 12), g.Slice(11, 3), 2, 4, 3); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("DenseForward", (o, fill) =>
        {
            var y = o.Filled(5 * 3, fill);
            o.Backend.DenseForward(o.Random(5 * 7), o.Random(7 * 3), o.Random(3), y, 5, 7, 3, Activation.Relu);
            return [o.Down(y)];
        }),
        ("DenseBackwardData", (o, fill) =>
        {
            var dx = o.Filled(5 * 7, fill);
            o.Backend.DenseBackwardData(o.Random(5 * 3), o.Random(7 * 3), dx, 5, 7, 3);
            return [o.Down(dx)];
        }),
        ("DenseBackwardWeights", (o, fill) =>
        {
            var (dw, db) = (o.Filled(7 * 3, fill), o.Filled(3, fill));
            o.Backend.DenseBackwardWeights(o.Random(5 * 7), o.Random(5 * 3), dw, db, 5, 7, 3);
            return [o.Down(dw), o.Down(db)];
        }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)> InPlace =>
    [
        ("ActivationBackward", o => { var (y, dy) = (o.Random(11), o.Random(11)); return ([dy], () => o.Backend.ActivationBackward(y, dy, 8, Activation.Relu)); }),
    ];
}
