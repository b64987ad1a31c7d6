using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the pair distance (<see cref="ConformanceRows"/>).</summary>
public sealed class PairDistanceRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("PairDistanceForward pairs", o => o.Backend.PairDistanceForward(o.Random(20), o.Zeros(4), -2, 5, 1e-7f)),
        ("PairDistanceBackward dim", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(4), o.Random(4), o.Zeros(20), 2, -5, 1e-7f)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("PairDistanceForward", "emb", o => o.Backend.PairDistanceForward(o.Random(19), o.Zeros(2), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "emb", o => o.Backend.PairDistanceBackward(o.Random(19), o.Random(2), o.Random(2), o.Zeros(20), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "dist", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(1), o.Random(2), o.Zeros(20), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "dDist", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(2), o.Random(1), o.Zeros(20), 2, 5, 1e-7f)),
        ("PairDistanceForward", "dist", o => o.Backend.PairDistanceForward(o.Random(20), o.Zeros(1), 2, 5, 1e-7f)),
        ("PairDistanceBackward", "dEmb", o => o.Backend.PairDistanceBackward(o.Random(20), o.Random(2), o.Random(2), o.Zeros(19), 2, 5, 1e-7f)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("PairDistanceForward dist on emb", "dist", o => { var e = o.Random(20); o.Backend.PairDistanceForward(e, e, 2, 5, 1e-7f); }),
        ("PairDistanceBackward dEmb on emb", "dEmb", o => { var e = o.Random(20); o.Backend.PairDistanceBackward(e, o.Random(2), o.Random(2), e, 2, 5, 1e-7f); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("PairDistanceForward", (o, fill) =>
        {
            var dist = o.Filled(5, fill);
            o.Backend.PairDistanceForward(o.Random(2 * 5 * 7), dist, 5, 7, 1e-7f);
            return [o.Down(dist)];
        }),
        ("PairDistanceBackward", (o, fill) =>
        {
            var emb = o.Random(2 * 5 * 7);
            var dist = o.Zeros(5);
            o.Backend.PairDistanceForward(emb, dist, 5, 7, 1e-7f);
            var dEmb = o.Filled(2 * 5 * 7, fill);
            o.Backend.PairDistanceBackward(emb, dist, o.Random(5), dEmb, 5, 7, 1e-7f);
            return [o.Down(dEmb)];
        }),
    ];
}
