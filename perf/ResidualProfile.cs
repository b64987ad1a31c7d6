using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// The operations residual twins add, at ResNet-18 v2's shapes over a 3x64x64 input and a batch of 64 images (issue
/// 23): the 7x7 stride-2 stem, the 3x3/2/1 max-pool, a block's 3x3 convolution without bias, the stride-2 3x3 and its
/// 1x1 projection, batch norm (training, scoring, backward), the stand-alone activations, the residual add and the
/// gradient sum of a shared output, global average pooling. GFLOP/s for convolutions, GB/s (bytes read + written once
/// each) for the memory-bound rest.
/// </summary>
public sealed class ResidualProfile : IProfileSection
{
    public const int Images = 64;

    static readonly (string Name, Conv2dGeometry G)[] Convs =
    [
        ("stem 3x64x64→64 7x7/2 same", new Conv2dGeometry(Images, 64, 64, 3, 64, 7, ConvPadding.Same, stride: 2)),
        ("block 64x16x16→64 3x3 same", new Conv2dGeometry(Images, 16, 16, 64, 64, 3, ConvPadding.Same)),
        ("down 64x16x16→128 3x3/2 same", new Conv2dGeometry(Images, 16, 16, 64, 128, 3, ConvPadding.Same, stride: 2)),
        ("projection 64x16x16→128 1x1/2", new Conv2dGeometry(Images, 16, 16, 64, 128, 1, ConvPadding.Same, stride: 2)),
        ("block 512x2x2→512 3x3 same", new Conv2dGeometry(Images, 2, 2, 512, 512, 3, ConvPadding.Same)),
    ];

    public void Run(IBackend b, ProfilerOptions options, Report report)
    {
        report.Heading($"Residual operations at ResNet-18 v2's shapes (3x64x64 input, {Images} images)");
        var rows = new List<string[]>();
        var rng = new Random(11);
        void Add(string name, Action op, double flops, double bytes)
        {
            var t = Timing.Measure(op, options.Quick, b.Synchronize);
            double rate = (flops > 0 ? flops : bytes) / t.MedianUs / 1e3;
            rows.Add([name, Report.Us(t.MedianUs), flops > 0 ? $"{Report.Rate(rate)} GFLOP/s" : $"{Report.Rate(rate)} GB/s", Report.Us(t.FirstUs)]);
        }
        foreach (var (name, g) in Convs)
        {
            using var x = Upload(b, Uniform(rng, g.Images * g.InSize, 0, 1));
            using var w = Upload(b, Uniform(rng, g.WeightCount, -MathF.Sqrt(6f / g.PatchSize), MathF.Sqrt(6f / g.PatchSize)));
            using var bias = b.Allocate<float>(g.OutChannels);
            b.Upload<float>(bias, new float[g.OutChannels]);
            using var y = b.Allocate<float>(g.Images * g.OutSize);
            using var dy = Upload(b, Uniform(rng, g.Images * g.OutSize, -1, 1));
            using var dx = b.Allocate<float>(g.Images * g.InSize);
            using var dw = b.Allocate<float>(g.WeightCount); using var db = b.Allocate<float>(g.OutChannels);
            double flops = 2.0 * g.MultiplyAdds;
            Add($"{name} forward", () => b.Conv2dForward(x, w, bias, y, g, Activation.Identity), flops, 0);
            Add($"{name} backward data", () => b.Conv2dBackwardData(dy, w, dx, g), flops, 0);
            Add($"{name} backward weights", () => b.Conv2dBackwardWeights(x, dy, dw, db, g), flops, 0);
        }
        {
            var g = new PoolGeometry(Images, 32, 32, 64, 3, 2, 1);
            int inN = Images * 32 * 32 * 64, outN = Images * g.OutHeight * g.OutWidth * 64;
            using var x = Upload(b, Uniform(rng, inN, -1, 1)); using var y = b.Allocate<float>(outN); using var win = b.Allocate<int>(outN);
            using var dy = Upload(b, Uniform(rng, outN, -1, 1)); using var dx = b.Allocate<float>(inN);
            Add("max-pool 3x3/2 pad 1 forward 64x32x32", () => b.MaxPoolWindowForward(x, y, win, g), 0, 4.0 * (inN + 2.0 * outN));
            Add("max-pool 3x3/2 pad 1 backward 64x32x32", () => b.MaxPoolWindowBackward(dy, win, dx, g), 0, 4.0 * (inN + 2.0 * outN));
        }
        {
            const int channels = 64, pixels = 16 * 16;
            int samples = Images * pixels, n = samples * channels;
            using var x = Upload(b, Uniform(rng, n, -2, 2)); using var y = b.Allocate<float>(n);
            using var gamma = Upload(b, Uniform(rng, channels, 0.5f, 1.5f)); using var beta = Upload(b, Uniform(rng, channels, -0.5f, 0.5f));
            using var saved = b.Allocate<float>(2 * channels); using var work = b.Allocate<float>(3 * channels);
            using var running = Upload(b, [.. new float[channels], .. Enumerable.Repeat(1f, channels)]);
            using var dy = Upload(b, Uniform(rng, n, -1, 1)); using var dx = b.Allocate<float>(n);
            using var dgamma = b.Allocate<float>(channels); using var dbeta = b.Allocate<float>(channels);
            using var other = Upload(b, Uniform(rng, n, -1, 1));
            b.BatchNormTrainingForward(x, gamma, beta, y, saved, running, work, samples, channels, 0.1f, 1e-5f);
            Add("batch norm training forward 64x16x16", () => b.BatchNormTrainingForward(x, gamma, beta, y, saved, running, work, samples, channels, 0.1f, 1e-5f), 0, 4.0 * 3 * n);
            Add("batch norm scoring forward 64x16x16", () => b.BatchNormScoringForward(x, gamma, beta, running, y, work, samples, channels, 1e-5f), 0, 4.0 * 2 * n);
            Add("batch norm backward 64x16x16", () => b.BatchNormBackward(x, dy, gamma, saved, dx, dgamma, dbeta, work, samples, channels), 0, 4.0 * 5 * n);
            foreach (var act in new[] { Activation.Relu, Activation.Sigmoid, Activation.Tanh })
                Add($"activation forward {act} 64x16x16", () => b.ActivationForward(x, y, n, act), 0, 4.0 * 2 * n);
            Add("residual add 64x16x16", () => b.Add(x, other, y, n), 0, 4.0 * 3 * n);
            Add("gradient sum of a shared output 64x16x16", () => b.Accumulate(dy, dx, n), 0, 4.0 * 3 * n);
        }
        {
            const int channels = 512, pixels = 2 * 2;
            int n = Images * pixels * channels;
            using var x = Upload(b, Uniform(rng, n, -1, 1)); using var y = b.Allocate<float>(Images * channels);
            using var dy = Upload(b, Uniform(rng, Images * channels, -1, 1)); using var dx = b.Allocate<float>(n);
            Add("global average pool forward 512x2x2", () => b.GlobalAveragePoolForward(x, y, Images, pixels, channels), 0, 4.0 * (n + Images * channels));
            Add("global average pool backward 512x2x2", () => b.GlobalAveragePoolBackward(dy, dx, Images, pixels, channels), 0, 4.0 * (n + Images * channels));
        }
        report.Table(["operation", "median µs", "rate", "first call µs"], rows);
        report.Line("FLOPs of each conv pass: 2·images·OH·OW·k²·inC·outC (backward weights without the bias sum).");
    }
}
