using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the contrastive losses (<see cref="ConformanceRows"/>).</summary>
public sealed class ContrastiveLossRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("PairLoss count", o => o.Backend.PairLoss(LossKind.ContrastiveBounded, 5f, o.Random(4), o.Up(new int[4]), o.Zeros(4), o.Zeros(4), -1)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("PairLoss", "dist", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(3), o.Up(new int[4]), o.Zeros(4), o.Zeros(4), 4)),
        ("PairLoss", "loss", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(4), o.Up(new int[4]), o.Zeros(3), o.Zeros(4), 4)),
        ("PairLoss", "dDist", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(4), o.Up(new int[4]), o.Zeros(4), o.Zeros(3), 4)),
        ("PairLoss", "labels", o => o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, o.Random(4), o.Up(new int[3]), o.Zeros(4), o.Zeros(4), 4)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("PairLoss dDist on dist", "dDist", o => { var d = o.Random(4, 0.1, 2); o.Backend.PairLoss(LossKind.ContrastiveMargin, 1f, d, o.Up(new[] { 0, 1, 0, 1 }), o.Zeros(4), d, 4); }),
        ("PairLoss loss on dist", "loss", o => { var d = o.Random(4, 0.1, 2); o.Backend.PairLoss(LossKind.ContrastiveBounded, 5f, d, o.Up(new[] { 0, 1, 0, 1 }), d, o.Zeros(4), 4); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("PairLoss bounded", (o, fill) => PairLossOutputs(o, fill, LossKind.ContrastiveBounded, 5f)),
        ("PairLoss margin", (o, fill) => PairLossOutputs(o, fill, LossKind.ContrastiveMargin, 1f)),
    ];

    static float[][] PairLossOutputs(ConformanceOperands o, float fill, LossKind kind, float parameter)
    {
        var (loss, dDist) = (o.Filled(5, fill), o.Filled(5, fill));
        o.Backend.PairLoss(kind, parameter, o.Random(5, 0.1, 3), o.Up(new[] { 0, 1, 1, 0, 1 }), loss, dDist, 5);
        return [o.Down(loss), o.Down(dDist)];
    }
}
