using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the element-wise sums and copies (<see cref="ConformanceRows"/>).</summary>
public sealed class ElementwiseRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("Add n", o => o.Backend.Add(o.Random(4), o.Random(4), o.Zeros(4), -4)),
        ("Accumulate n", o => o.Backend.Accumulate(o.Random(4), o.Random(4), -4)),
        ("Copy n", o => o.Backend.Copy(o.Random(4), o.Zeros(4), -4)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("Add", "a", o => o.Backend.Add(o.Random(3), o.Random(4), o.Zeros(4), 4)),
        ("Add", "b", o => o.Backend.Add(o.Random(4), o.Random(3), o.Zeros(4), 4)),
        ("Add", "y", o => o.Backend.Add(o.Random(4), o.Random(4), o.Zeros(3), 4)),
        ("Accumulate", "src", o => o.Backend.Accumulate(o.Random(3), o.Random(4), 4)),
        ("Accumulate", "dst", o => o.Backend.Accumulate(o.Random(4), o.Random(3), 4)),
        ("Copy", "src", o => o.Backend.Copy(o.Random(3), o.Zeros(4), 4)),
        ("Copy", "dst", o => o.Backend.Copy(o.Random(4), o.Zeros(3), 4)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("Add y on a", "y", o => { var a = o.Random(5); o.Backend.Add(a, o.Random(5), a, 5); }),
        ("Add y on part of b", "y", o => { var b = o.Random(9); o.Backend.Add(o.Random(5), b.Slice(0, 5), b.Slice(4, 5), 5); }),
        ("Accumulate dst on src", "dst", o => { var x = o.Random(5); o.Backend.Accumulate(x, x, 5); }),
        ("Copy dst on part of src", "dst", o => { var x = o.Random(9); o.Backend.Copy(x.Slice(0, 5), x.Slice(3, 5), 5); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("Add", (o, fill) =>
        {
            var y = o.Filled(37, fill);
            o.Backend.Add(o.Random(37), o.Random(37), y, 37);
            return [o.Down(y)];
        }),
        ("Copy", (o, fill) =>
        {
            var dst = o.Filled(37, fill);
            o.Backend.Copy(o.Random(37), dst, 37);
            return [o.Down(dst)];
        }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)> InPlace =>
    [
        ("Accumulate", o => { var (src, dst) = (o.Random(11), o.Random(11)); return ([dst], () => o.Backend.Accumulate(src, dst, 8)); }),
    ];
}
