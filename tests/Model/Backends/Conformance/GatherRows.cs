using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of gathers of rows (<see cref="ConformanceRows"/>).</summary>
public sealed class GatherRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("GatherRows rows", o => o.Backend.GatherRows(o.Random(20), o.Up(new int[4]), o.Zeros(20), -1, 5)),
        ("GatherRows width", o => o.Backend.GatherRows(o.Random(20), o.Up(new int[4]), o.Zeros(20), 4, -5)),
        ("GatherRowsFromBytes rows", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[20]), o.Up(new int[4]), o.Zeros(20), -1, 5)),
        ("GatherRowsFromBytes width", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[20]), o.Up(new int[4]), o.Zeros(20), 4, -5)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("GatherRows", "dst", o => o.Backend.GatherRows(o.Random(30), o.Up(new[] { 0, 1, 2 }), o.Zeros(14), 3, 5)),
        ("GatherRows", "indices", o => o.Backend.GatherRows(o.Random(30), o.Up(new[] { 0, 1 }), o.Zeros(15), 3, 5)),
        ("GatherRowsFromBytes", "dst", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[30]), o.Up(new[] { 0, 1, 2 }), o.Zeros(14), 3, 5)),
        ("GatherRowsFromBytes", "indices", o => o.Backend.GatherRowsFromBytes(o.Up(new byte[30]), o.Up(new[] { 0, 1 }), o.Zeros(15), 3, 5)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("GatherRows dst on table", "dst", o => { var t = o.Random(30); o.Backend.GatherRows(t, o.Up(new[] { 0, 1 }), t, 2, 5); }),
        ("GatherRows dst on part of table", "dst", o => { var t = o.Random(40); o.Backend.GatherRows(t.Slice(0, 30), o.Up(new[] { 0, 1 }), t.Slice(25, 10), 2, 5); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("GatherRows", (o, fill) =>
        {
            var dst = o.Filled(5 * 7, fill);
            o.Backend.GatherRows(o.Random(6 * 7), o.Up(new[] { 5, 0, 3, 3, 1 }), dst, 5, 7);
            return [o.Down(dst)];
        }),
        ("GatherRowsFromBytes", (o, fill) =>
        {
            var dst = o.Filled(5 * 7, fill);
            o.Backend.GatherRowsFromBytes(o.Up(Enumerable.Range(0, 6 * 7).Select(i => (byte)(i * 37 % 256)).ToArray()),
                o.Up(new[] { 5, 0, 3, 3, 1 }), dst, 5, 7);
            return [o.Down(dst)];
        }),
    ];
}
