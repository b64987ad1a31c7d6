using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of dropout (<see cref="ConformanceRows"/>).</summary>
public sealed class DropoutRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("Dropout n", o => o.Backend.Dropout(o.Random(8), -8, 0.5f, 1, 0)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("Dropout", "x", o => o.Backend.Dropout(o.Random(7), 8, 0.5f, 1, 0)),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)> InPlace =>
    [
        ("Dropout", o => { var x = o.Random(11); return ([x], () => o.Backend.Dropout(x, 8, 0.5f, 3, 1)); }),
    ];
}
