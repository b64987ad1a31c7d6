using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of max-pooling (<see cref="ConformanceRows"/>).</summary>
public sealed class MaxPoolRows : ConformanceRows
{
    /// <summary>The stem's pool over 2 images of 5x6x3: 3x3 windows, stride 2, padding 1, 3x3 outputs.</summary>
    static readonly PoolGeometry Window = new(2, 5, 6, 3, 3, 2, 1);

    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("MaxPoolForward images", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(12), o.Up(new int[12]), -1, 4, 4, 3)),
        ("MaxPoolBackward channels", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[12]), o.Zeros(48), 1, 4, 4, -3)),
        // A pool's sizes travel in its geometry, which refuses a negative one before any backend sees it.
        ("MaxPoolWindowForward images", o => o.Backend.MaxPoolWindowForward(o.Random(180), o.Zeros(54), o.Up(new int[54]), new PoolGeometry(-1, 5, 6, 3, 3, 2, 1))),
        ("MaxPoolWindowBackward channels", o => o.Backend.MaxPoolWindowBackward(o.Random(54), o.Up(new int[54]), o.Zeros(180), new PoolGeometry(2, 5, 6, -3, 3, 2, 1))),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("MaxPoolForward", "x", o => o.Backend.MaxPoolForward(o.Random(47), o.Zeros(12), o.Up(new int[12]), 1, 4, 4, 3)),
        ("MaxPoolForward", "y", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(11), o.Up(new int[12]), 1, 4, 4, 3)),
        ("MaxPoolBackward", "dy", o => o.Backend.MaxPoolBackward(o.Random(11), o.Up(new int[12]), o.Zeros(48), 1, 4, 4, 3)),
        ("MaxPoolBackward", "winner", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[11]), o.Zeros(48), 1, 4, 4, 3)),
        ("MaxPoolForward", "winner", o => o.Backend.MaxPoolForward(o.Random(48), o.Zeros(12), o.Up(new int[11]), 1, 4, 4, 3)),
        ("MaxPoolBackward", "dx", o => o.Backend.MaxPoolBackward(o.Random(12), o.Up(new int[12]), o.Zeros(47), 1, 4, 4, 3)),
        ("MaxPoolWindowForward", "x", o => o.Backend.MaxPoolWindowForward(o.Random(179), o.Zeros(54), o.Up(new int[54]), Window)),
        ("MaxPoolWindowForward", "y", o => o.Backend.MaxPoolWindowForward(o.Random(180), o.Zeros(53), o.Up(new int[54]), Window)),
        ("MaxPoolWindowForward", "winner", o => o.Backend.MaxPoolWindowForward(o.Random(180), o.Zeros(54), o.Up(new int[53]), Window)),
        ("MaxPoolWindowBackward", "dy", o => o.Backend.MaxPoolWindowBackward(o.Random(53), o.Up(new int[54]), o.Zeros(180), Window)),
        ("MaxPoolWindowBackward", "winner", o => o.Backend.MaxPoolWindowBackward(o.Random(54), o.Up(new int[53]), o.Zeros(180), Window)),
        ("MaxPoolWindowBackward", "dx", o => o.Backend.MaxPoolWindowBackward(o.Random(54), o.Up(new int[54]), o.Zeros(179), Window)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("MaxPoolForward y on x", "y", o => { var x = o.Random(48); o.Backend.MaxPoolForward(x, x, o.Up(new int[12]), 1, 4, 4, 3); }),
        ("MaxPoolBackward dx on dy", "dx", o => { var d = o.Random(48); o.Backend.MaxPoolBackward(d, o.Up(new int[12]), d, 1, 4, 4, 3); }),
        ("MaxPoolWindowForward y on x", "y", o => { var x = o.Random(180); o.Backend.MaxPoolWindowForward(x, x, o.Up(new int[54]), Window); }),
        ("MaxPoolWindowBackward dx on dy", "dx", o => { var d = o.Random(180); o.Backend.MaxPoolWindowBackward(d, o.Up(new int[54]), d, Window); }),
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
        ("MaxPoolWindowForward", (o, fill) =>
        {
            var (y, winner) = (o.Filled(54, fill), o.IntsFilled(54, IntGarbage(fill)));
            o.Backend.MaxPoolWindowForward(o.Random(180), y, winner, Window);
            return [o.Down(y), Array.ConvertAll(o.Down(winner), v => (float)v)];
        }),
        ("MaxPoolWindowBackward", (o, fill) =>
        {
            // Winners as a forward pass leaves them (a made-up one could name a padding pixel).
            var winner = o.Up(new int[54]);
            o.Backend.MaxPoolWindowForward(o.Random(180), o.Zeros(54), winner, Window);
            var dx = o.Filled(180, fill);
            o.Backend.MaxPoolWindowBackward(o.Random(54), winner, dx, Window);
            return [o.Down(dx)];
        }),
    ];
}
