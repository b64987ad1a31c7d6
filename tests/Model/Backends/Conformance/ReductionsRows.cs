using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the sums (<see cref="ConformanceRows"/>).</summary>
public sealed class ReductionsRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("Sum n", o => o.Backend.Sum(o.Random(4), -4)),
        ("SumOfSquares n", o => o.Backend.SumOfSquares(o.Random(4), -4)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("Sum", "x", o => o.Backend.Sum(o.Random(3), 4)),
        ("SumOfSquares", "x", o => o.Backend.SumOfSquares(o.Random(3), 4)),
    ];
}
