using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of global average pooling (<see cref="ConformanceRows"/>): 2 images of 3 pixels and 4 channels.</summary>
public sealed class GlobalPoolRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("GlobalAveragePoolForward images", o => o.Backend.GlobalAveragePoolForward(o.Random(24), o.Zeros(8), -2, 3, 4)),
        ("GlobalAveragePoolBackward channels", o => o.Backend.GlobalAveragePoolBackward(o.Random(8), o.Zeros(24), 2, 3, -4)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("GlobalAveragePoolForward", "x", o => o.Backend.GlobalAveragePoolForward(o.Random(23), o.Zeros(8), 2, 3, 4)),
        ("GlobalAveragePoolForward", "y", o => o.Backend.GlobalAveragePoolForward(o.Random(24), o.Zeros(7), 2, 3, 4)),
        ("GlobalAveragePoolBackward", "dy", o => o.Backend.GlobalAveragePoolBackward(o.Random(7), o.Zeros(24), 2, 3, 4)),
        ("GlobalAveragePoolBackward", "dx", o => o.Backend.GlobalAveragePoolBackward(o.Random(8), o.Zeros(23), 2, 3, 4)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("GlobalAveragePoolForward y on x", "y", o => { var x = o.Random(24); o.Backend.GlobalAveragePoolForward(x, x, 2, 3, 4); }),
        ("GlobalAveragePoolBackward dx on dy", "dx", o => { var d = o.Random(24); o.Backend.GlobalAveragePoolBackward(d, d, 2, 3, 4); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("GlobalAveragePoolForward", (o, fill) =>
        {
            var y = o.Filled(2 * 5, fill);
            o.Backend.GlobalAveragePoolForward(o.Random(2 * 7 * 5), y, 2, 7, 5);
            return [o.Down(y)];
        }),
        ("GlobalAveragePoolBackward", (o, fill) =>
        {
            var dx = o.Filled(2 * 7 * 5, fill);
            o.Backend.GlobalAveragePoolBackward(o.Random(2 * 5), dx, 2, 7, 5);
            return [o.Down(dx)];
        }),
    ];
}
