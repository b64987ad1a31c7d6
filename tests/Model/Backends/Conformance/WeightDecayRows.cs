using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of weight decay (<see cref="ConformanceRows"/>).</summary>
public sealed class WeightDecayRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("WeightDecay n", o => o.Backend.WeightDecay(o.Random(8), -8, 0.1f)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("WeightDecay", "p", o => o.Backend.WeightDecay(o.Random(7), 8, 0.1f)),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)> InPlace =>
    [
        ("WeightDecay", o => { var p = o.Random(11); return ([p], () => o.Backend.WeightDecay(p, 8, 0.1f)); }),
    ];
}
