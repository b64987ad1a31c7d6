using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of the convolution (<see cref="ConformanceRows"/>).</summary>
public sealed class Conv2dRows : ConformanceRows
{
    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("Conv2dForward images", o => o.Backend.Conv2dForward(o.Random(8), o.Random(8), o.Random(4), o.Zeros(8),
            new Conv2dGeometry(-1, 5, 6, 3, 4, 3, ConvPadding.Same), Activation.Relu)),
        ("Conv2dBackwardData height", o => o.Backend.Conv2dBackwardData(o.Random(8), o.Random(8), o.Zeros(8),
            new Conv2dGeometry(1, -5, 6, 3, 4, 3, ConvPadding.Same))),
        ("Conv2dBackwardWeights channels", o => o.Backend.Conv2dBackwardWeights(o.Random(8), o.Random(8), o.Zeros(8), o.Zeros(4),
            new Conv2dGeometry(1, 5, 6, -3, 4, 3, ConvPadding.Same))),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("Conv2dForward", "x", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize - 1), o.Random(Conv.WeightCount),
            o.Random(Conv.OutChannels), o.Zeros(Conv.Images * Conv.OutSize), Conv, Activation.Relu)),
        ("Conv2dForward", "w", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount - 1),
            o.Random(Conv.OutChannels), o.Zeros(Conv.Images * Conv.OutSize), Conv, Activation.Relu)),
        ("Conv2dForward", "b", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount),
            o.Random(Conv.OutChannels - 1), o.Zeros(Conv.Images * Conv.OutSize), Conv, Activation.Relu)),
        ("Conv2dBackwardData", "dy", o => o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize - 1), o.Random(Conv.WeightCount),
            o.Zeros(Conv.Images * Conv.InSize), Conv)),
        ("Conv2dBackwardData", "w", o => o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), o.Random(Conv.WeightCount - 1),
            o.Zeros(Conv.Images * Conv.InSize), Conv)),
        ("Conv2dBackwardWeights", "x", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize - 1),
            o.Random(Conv.Images * Conv.OutSize), o.Zeros(Conv.WeightCount), o.Zeros(Conv.OutChannels), Conv)),
        ("Conv2dBackwardWeights", "dy", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize),
            o.Random(Conv.Images * Conv.OutSize - 1), o.Zeros(Conv.WeightCount), o.Zeros(Conv.OutChannels), Conv)),
        ("Conv2dBackwardWeights", "db", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize),
            o.Random(Conv.Images * Conv.OutSize), o.Zeros(Conv.WeightCount), o.Zeros(Conv.OutChannels - 1), Conv)),
        ("Conv2dForward", "y", o => o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount),
            o.Random(Conv.OutChannels), o.Zeros(Conv.Images * Conv.OutSize - 1), Conv, Activation.Relu)),
        ("Conv2dBackwardData", "dx", o => o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), o.Random(Conv.WeightCount),
            o.Zeros(Conv.Images * Conv.InSize - 1), Conv)),
        ("Conv2dBackwardWeights", "dw", o => o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize),
            o.Random(Conv.Images * Conv.OutSize), o.Zeros(Conv.WeightCount - 1), o.Zeros(Conv.OutChannels), Conv)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("Conv2dForward y on x", "y", o => { var x = o.Random(Conv.Images * Math.Max(Conv.InSize, Conv.OutSize));
            o.Backend.Conv2dForward(x, o.Random(Conv.WeightCount), o.Random(Conv.OutChannels), x, Conv, Activation.Relu); }),
        ("Conv2dBackwardData dx on w", "dx", o => { var w = o.Random(Math.Max(Conv.WeightCount, Conv.Images * Conv.InSize));
            o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), w, w, Conv); }),
        ("Conv2dBackwardWeights dw on x", "dw", o => { var x = o.Random(Math.Max(Conv.WeightCount, Conv.Images * Conv.InSize));
            o.Backend.Conv2dBackwardWeights(x, o.Random(Conv.Images * Conv.OutSize), x, o.Zeros(Conv.OutChannels), Conv); }),
        ("Conv2dBackwardWeights db on dy", "db", o => { var dy = o.Random(Conv.Images * Conv.OutSize);
            o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize), dy, o.Zeros(Conv.WeightCount), dy, Conv); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("Conv2dForward", (o, fill) =>
        {
            var y = o.Filled(Conv.Images * Conv.OutSize, fill);
            o.Backend.Conv2dForward(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.WeightCount), o.Random(Conv.OutChannels), y, Conv, Activation.Relu);
            return [o.Down(y)];
        }),
        ("Conv2dBackwardData", (o, fill) =>
        {
            var dx = o.Filled(Conv.Images * Conv.InSize, fill);
            o.Backend.Conv2dBackwardData(o.Random(Conv.Images * Conv.OutSize), o.Random(Conv.WeightCount), dx, Conv);
            return [o.Down(dx)];
        }),
        ("Conv2dBackwardWeights", (o, fill) =>
        {
            var (dw, db) = (o.Filled(Conv.WeightCount, fill), o.Filled(Conv.OutChannels, fill));
            o.Backend.Conv2dBackwardWeights(o.Random(Conv.Images * Conv.InSize), o.Random(Conv.Images * Conv.OutSize), dw, db, Conv);
            return [o.Down(dw), o.Down(db)];
        }),
    ];
}
