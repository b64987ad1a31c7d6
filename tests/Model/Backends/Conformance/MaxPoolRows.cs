using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of max-pooling (<see cref="ConformanceRows"/>).</summary>
public sealed class MaxPoolRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("MaxPoolForward images", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(12), o.Up(new int[12]), -1, 4, 4, 3)),
        ("MaxPoolBackward channels", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[12]), o.Zeros(48), 1, 4, 4, -3)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("MaxPoolForward", "x", o => o.Backend.MaxPoolForward(o.Random(47), o.Zeros(12), o.Up(new int[12]), 1, 4, 4, 3)),
        ("MaxPoolForward", "y", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(11), o.Up(new int[12]), 1, 4, 4, 3)),
        ("MaxPoolBackward", "dy", o => o.Backend.MaxPoolBackward(o.Random(11), o.Up(new int[12]), o.Zeros(48), 1, 4, 4, 3)),
        ("MaxPoolBackward", "winner", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[11]), o.Zeros(48), 1, 4, 4, 3)),
        ("MaxPoolForward", "winner", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(12), o.Up(new int[11]), 1, 4, 4, 3)),
        ("MaxPoolBackward", "dx", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[12]), o.Zeros(47), 1, 4, 4, 3)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("MaxPoolForward y on x", "y", o => { var x = o.Random(48); o.Backend.MaxPoolForward(x, x, o.Up(new int[12]), 1, 4, 4, 3); }),
        ("MaxPoolBackward dx on dy", "dx", o => { var d = o.Random(48); o.Backend.MaxPoolBackward(d, o.Up(new int[12]), d, 1, 4, 4, 3); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("MaxPoolForward", (o, fill) =>
        {
            var (y, winner) = (o.Filled(2 * 2 * 3 * 3, fill), o.IntsFilled(2 * 2 * 3 * 3, IntGarbage(fill)));
            o.Backend.MaxPoolForward(o.Random(2 * 4 * 6 * 3), y, winner, 2, 4, 6, 3);
            return [o.Down(y), Array.ConvertAll(o.Down(winner), v => (float)v)];
        }),
        ("MaxPoolBackward", (o, fill) =>
        {
            var winner = o.Up(Enumerable.Range(0, 2 * 2 * 3 * 3).Select(i => i * 7 % 4).ToArray());
            var dx = o.Filled(2 * 4 * 6 * 3, fill);
            o.Backend.MaxPoolBackward(o.Random(2 * 2 * 3 * 3), winner, dx, 2, 4, 6, 3);
            return [o.Down(dx)];
        }),
    ];
}
