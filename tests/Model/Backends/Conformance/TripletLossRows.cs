using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the triplet loss (<see cref="ConformanceRows"/>).</summary>
public sealed class TripletLossRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("TripletLoss triplets", o => o.Backend.TripletLoss(o.Random(30), o.Zeros(2), o.Zeros(30), -2, 5, 1f, 1e-7f)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("TripletLoss", "emb", o => o.Backend.TripletLoss(o.Random(29), o.Zeros(2), o.Zeros(30), 2, 5, 1f, 1e-7f)),
        ("TripletLoss", "dEmb", o => o.Backend.TripletLoss(o.Random(30), o.Zeros(2), o.Zeros(29), 2, 5, 1f, 1e-7f)),
        ("TripletLoss", "loss", o => o.Backend.TripletLoss(o.Random(30), o.Zeros(1), o.Zeros(30), 2, 5, 1f, 1e-7f)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("TripletLoss loss on emb", "loss", o => { var e = o.Random(30); o.Backend.TripletLoss(e, e, o.Zeros(30), 2, 5, 1f, 1e-7f); }),
        ("TripletLoss dEmb on emb", "dEmb", o => { var e = o.Random(30); o.Backend.TripletLoss(e, o.Zeros(2), e, 2, 5, 1f, 1e-7f); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("TripletLoss", (o, fill) =>
        {
            var (loss, dEmb) = (o.Filled(4, fill), o.Filled(3 * 4 * 5, fill));
            o.Backend.TripletLoss(o.Random(3 * 4 * 5), loss, dEmb, 4, 5, 1f, 1e-7f);
            return [o.Down(loss), o.Down(dEmb)];
        }),
    ];
}
