using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the optimizers (<see cref="ConformanceRows"/>).</summary>
public sealed class OptimizersRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("AdamStep n", o => o.Backend.AdamStep(o.Random(4), o.Random(4), o.Zeros(4), o.Zeros(4), -4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("RmsPropStep n", o => o.Backend.RmsPropStep(o.Random(4), o.Random(4), o.Zeros(4), -4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("SgdStep n", o => o.Backend.SgdStep(o.Random(4), o.Random(4), o.Zeros(4), -4, 0.1f, 0.9f, false, 1f)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("AdamStep", "p", o => o.Backend.AdamStep(o.Random(3), o.Random(4), o.Zeros(4), o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("AdamStep", "g", o => o.Backend.AdamStep(o.Random(4), o.Random(3), o.Zeros(4), o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("AdamStep", "m", o => o.Backend.AdamStep(o.Random(4), o.Random(4), o.Zeros(3), o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("RmsPropStep", "p", o => o.Backend.RmsPropStep(o.Random(3), o.Random(4), o.Zeros(4), 4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("RmsPropStep", "g", o => o.Backend.RmsPropStep(o.Random(4), o.Random(3), o.Zeros(4), 4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("SgdStep", "p", o => o.Backend.SgdStep(o.Random(3), o.Random(4), o.Zeros(4), 4, 0.1f, 0.9f, true, 1f)),
        ("SgdStep", "g", o => o.Backend.SgdStep(o.Random(4), o.Random(3), o.Zeros(4), 4, 0.1f, 0.9f, true, 1f)),
        ("AdamStep", "v", o => o.Backend.AdamStep(o.Random(4), o.Random(4), o.Zeros(4), o.Zeros(3), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f)),
        ("RmsPropStep", "s", o => o.Backend.RmsPropStep(o.Random(4), o.Random(4), o.Zeros(3), 4, 0.1f, 0.9f, 1e-7f, 1f)),
        ("SgdStep", "u", o => o.Backend.SgdStep(o.Random(4), o.Random(4), o.Zeros(3), 4, 0.1f, 0.9f, true, 1f)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("AdamStep p on v", "p", o => { var v = o.Zeros(4); o.Backend.AdamStep(v, o.Random(4), o.Zeros(4), v, 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f); }),
        ("AdamStep m on g", "m", o => { var g = o.Random(4); o.Backend.AdamStep(o.Random(4), g, g, o.Zeros(4), 4, 0.1f, 0.9f, 0.999f, 1e-7f, 1, 1f); }),
        ("RmsPropStep p on g", "p", o => { var g = o.Random(4); o.Backend.RmsPropStep(g, g, o.Zeros(4), 4, 0.1f, 0.9f, 1e-7f, 1f); }),
        ("SgdStep u on g", "u", o => { var g = o.Random(4); o.Backend.SgdStep(o.Random(4), g, g, 4, 0.1f, 0.9f, false, 1f); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)> InPlace =>
    [
        ("AdamStep", o => { var (p, g, m, v) = (o.Random(11), o.Random(11), o.Random(11), o.Random(11, 0.1, 1));
            return ([p, m, v], () => o.Backend.AdamStep(p, g, m, v, 8, 0.1f, 0.9f, 0.999f, 1e-7f, 2, 1f)); }),
        ("RmsPropStep", o => { var (p, g, sq) = (o.Random(11), o.Random(11), o.Random(11, 0.1, 1));
            return ([p, sq], () => o.Backend.RmsPropStep(p, g, sq, 8, 0.1f, 0.9f, 1e-7f, 1f)); }),
        ("SgdStep", o => { var (p, g, u) = (o.Random(11), o.Random(11), o.Random(11));
            return ([p, u], () => o.Backend.SgdStep(p, g, u, 8, 0.1f, 0.9f, true, 1f)); }),
    ];
}
