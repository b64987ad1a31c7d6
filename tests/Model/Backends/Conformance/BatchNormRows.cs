using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>The conformance rows of batch normalisation (<see cref="ConformanceRows"/>): 6 samples of 4 channels.</summary>
public sealed class BatchNormRows : ConformanceRows
{
    static void Train(ConformanceOperands o, int x = 24, int gamma = 4, int beta = 4, int y = 24, int saved = 8, int running = 8, int work = 12,
        int samples = 6, int channels = 4, float momentum = 0.1f, float eps = 1e-5f) =>
        o.Backend.BatchNormTrainingForward(o.Random(x), o.Random(gamma), o.Random(beta), o.Zeros(y), o.Zeros(saved), o.Random(running, 0.5, 1),
            o.Zeros(work), samples, channels, momentum, eps);

    static void Score(ConformanceOperands o, int x = 24, int running = 8, int y = 24, int work = 12, int samples = 6, int channels = 4, float eps = 1e-5f) =>
        o.Backend.BatchNormScoringForward(o.Random(x), o.Random(4), o.Random(4), o.Random(running, 0.5, 1), o.Zeros(y), o.Zeros(work), samples, channels, eps);

    static void Back(ConformanceOperands o, int x = 24, int dy = 24, int saved = 8, int dx = 24, int dgamma = 4, int dbeta = 4, int work = 12,
        int samples = 6, int channels = 4) =>
        o.Backend.BatchNormBackward(o.Random(x), o.Random(dy), o.Random(4), o.Random(saved, 0.5, 1), o.Zeros(dx), o.Zeros(dgamma), o.Zeros(dbeta),
            o.Zeros(work), samples, channels);

    public override IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes =>
    [
        ("BatchNormTrainingForward samples", o => Train(o, samples: -6)),
        ("BatchNormScoringForward channels", o => Score(o, channels: -4)),
        ("BatchNormBackward samples", o => Back(o, samples: -6)),
    ];

    public override IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers =>
    [
        ("BatchNormTrainingForward", "x", o => Train(o, x: 23)),
        ("BatchNormTrainingForward", "gamma", o => Train(o, gamma: 3)),
        ("BatchNormTrainingForward", "beta", o => Train(o, beta: 3)),
        ("BatchNormTrainingForward", "y", o => Train(o, y: 23)),
        ("BatchNormTrainingForward", "saved", o => Train(o, saved: 7)),
        ("BatchNormTrainingForward", "running", o => Train(o, running: 7)),
        ("BatchNormTrainingForward", "work", o => Train(o, work: 11)),
        ("BatchNormScoringForward", "x", o => Score(o, x: 23)),
        ("BatchNormScoringForward", "running", o => Score(o, running: 7)),
        ("BatchNormScoringForward", "y", o => Score(o, y: 23)),
        ("BatchNormScoringForward", "work", o => Score(o, work: 11)),
        ("BatchNormBackward", "x", o => Back(o, x: 23)),
        ("BatchNormBackward", "dy", o => Back(o, dy: 23)),
        ("BatchNormBackward", "saved", o => Back(o, saved: 7)),
        ("BatchNormBackward", "dx", o => Back(o, dx: 23)),
        ("BatchNormBackward", "dgamma", o => Back(o, dgamma: 3)),
        ("BatchNormBackward", "dbeta", o => Back(o, dbeta: 3)),
        ("BatchNormBackward", "work", o => Back(o, work: 11)),
    ];

    public override IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps =>
    [
        ("BatchNormTrainingForward y on x", "y", o => { var x = o.Random(24); o.Backend.BatchNormTrainingForward(x, o.Random(4), o.Random(4), x,
            o.Zeros(8), o.Random(8, 0.5, 1), o.Zeros(12), 6, 4, 0.1f, 1e-5f); }),
        ("BatchNormTrainingForward running on work", "running", o => { var w = o.Random(20, 0.5, 1); o.Backend.BatchNormTrainingForward(o.Random(24),
            o.Random(4), o.Random(4), o.Zeros(24), o.Zeros(8), w.Slice(0, 8), w.Slice(4, 12), 6, 4, 0.1f, 1e-5f); }),
        ("BatchNormScoringForward y on running", "y", o => { var r = o.Random(24, 0.5, 1); o.Backend.BatchNormScoringForward(o.Random(24),
            o.Random(4), o.Random(4), r, r, o.Zeros(12), 6, 4, 1e-5f); }),
        ("BatchNormBackward dx on dy", "dx", o => { var d = o.Random(24); o.Backend.BatchNormBackward(o.Random(24), d, o.Random(4),
            o.Random(8, 0.5, 1), d, o.Zeros(4), o.Zeros(4), o.Zeros(12), 6, 4); }),
        ("BatchNormBackward dgamma on dbeta", "dgamma", o => { var g = o.Zeros(6); o.Backend.BatchNormBackward(o.Random(24), o.Random(24), o.Random(4),
            o.Random(8, 0.5, 1), o.Zeros(24), g.Slice(0, 4), g.Slice(2, 4), o.Zeros(12), 6, 4); }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers =>
    [
        ("BatchNormTrainingForward", (o, fill) =>
        {
            var (y, saved) = (o.Filled(7 * 5, fill), o.Filled(2 * 5, fill));
            o.Backend.BatchNormTrainingForward(o.Random(7 * 5), o.Random(5), o.Random(5), y, saved, o.Up(Enumerable.Repeat(0.5f, 10).ToArray()),
                o.Filled(15, fill), 7, 5, 0.1f, 1e-5f);
            return [o.Down(y), o.Down(saved)];
        }),
        ("BatchNormScoringForward", (o, fill) =>
        {
            var y = o.Filled(7 * 5, fill);
            o.Backend.BatchNormScoringForward(o.Random(7 * 5), o.Random(5), o.Random(5), o.Up(Enumerable.Repeat(0.5f, 10).ToArray()), y,
                o.Filled(15, fill), 7, 5, 1e-5f);
            return [o.Down(y)];
        }),
        ("BatchNormBackward", (o, fill) =>
        {
            var (dx, dgamma, dbeta) = (o.Filled(7 * 5, fill), o.Filled(5, fill), o.Filled(5, fill));
            o.Backend.BatchNormBackward(o.Random(7 * 5), o.Random(7 * 5), o.Random(5), o.Up(new[] { 0.1f, 0, -0.2f, 0.3f, 0, 1, 2, 0.5f, 1.5f, 1 }),
                dx, dgamma, dbeta, o.Filled(15, fill), 7, 5);
            return [o.Down(dx), o.Down(dgamma), o.Down(dbeta)];
        }),
    ];

    public override IEnumerable<(string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)> InPlace =>
    [
        // The running averages move in place on their first 2·C = 8 elements.
        ("BatchNormTrainingForward running", o =>
        {
            var running = o.Random(11, 0.5, 1);
            return ([running], () => o.Backend.BatchNormTrainingForward(o.Random(24), o.Random(4), o.Random(4), o.Zeros(24), o.Zeros(8), running,
                o.Zeros(12), 6, 4, 0.5f, 1e-5f));
        }),
    ];
}
