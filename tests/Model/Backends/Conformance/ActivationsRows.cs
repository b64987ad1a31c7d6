using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of activation layers (<see cref="ConformanceRows"/>).</summary>
public sealed class ActivationsRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("ActivationForward n", o => o.Backend.ActivationForward(o.Random(4), o.Zeros(4), -4, Activation.Sigmoid)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("ActivationForward", "x", o => o.Backend.ActivationForward(o.Random(3), o.Zeros(4), 4, Activation.Tanh)),
        ("ActivationForward", "y", o => o.Backend.ActivationForward(o.Random(4), o.Zeros(3), 4, Activation.Tanh)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("ActivationForward y on x", "y", o => { var x = o.Random(5); o.Backend.ActivationForward(x, x, 5, Activation.Relu); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("ActivationForward sigmoid", (o, fill) =>
        {
            var y = o.Filled(37, fill);
            o.Backend.ActivationForward(o.Random(37, -6, 6), y, 37, Activation.Sigmoid);
            return [o.Down(y)];
        }),
        ("ActivationForward tanh", (o, fill) =>
        {
            var y = o.Filled(37, fill);
            o.Backend.ActivationForward(o.Random(37, -6, 6), y, 37, Activation.Tanh);
            return [o.Down(y)];
        }),
    ];
}
