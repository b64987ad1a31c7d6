using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Training;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// Forward and backward of a whole residual network over one batch, in training mode (batch norm from the batch), as
/// the training step runs them (<see cref="NetworkStep"/>) — ResNet-18 v2 at 3x64x64 with 64 images (issue 23's workload, beside
/// TorchSharp's twin in perf/torchsharp-side-by-side.sh): the median of five after two warm-ups, in seconds.
/// </summary>
public sealed class ResidualStepJob : IProfileSection
{
    public const string ResNet18 = "3x64x64,c64k7s2l,p3s2p1,r64,r64,r128s2,r128,r256s2,r256,r512s2,r512,bn,relu,gap,128l,sigmoid";
    public const int Images = 64;

    public void Run(IBackend b, ProfilerOptions options, Report report)
    {
        report.Heading($"ResNet-18 v2 forward and backward: {ResNet18}, {Images} images");
        var config = NetworkSpec.Parse(ResNet18);
        using var network = Network.Create(b, config, new Rng(7));
        using var step = new NetworkStep(network, Images, dropout: 0, seed: 1);
        var rng = new Random(5);
        b.Upload<float>(step.Input, Uniform(rng, Images * config.Input.Size, 0, 1));
        var dTop = Uniform(rng, Images * config.OutputWidth, -1, 1);
        long n = 0;
        void Step()
        {
            step.Forward(Images, n);
            b.Upload<float>(step.EmbeddingGradients, dTop);
            step.Backward(Images, n++);
            b.Synchronize();
        }
        var times = new List<double>();
        for (int r = 0; r < (options.Quick ? 3 : 7); r++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Step();
            if (r >= 2) times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        report.Table(["what", "value"], [
            ["forward + backward, median seconds", $"{times[times.Count / 2]:F3}"],
            ["parameters", $"{config.ParameterCount:N0}"],
            ["samples", $"{times.Count}"],
        ]);
    }
}
