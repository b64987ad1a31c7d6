using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;
using static GpuSiamese.Perf.Workload;

namespace GpuSiamese.Perf;

/// <summary>
/// Where a training step of a layer list spends its time: each layer's forward and backward pass over one batch of
/// 64 pairs (128 rows), in the order the step runs them, and the optimizer step over all parameters — for the
/// comparison network of issue 12 (<c>--preset cnn</c>) and the best preset's MLP. Each row is the median over
/// repetitions after a warm-up; the last rows add them up per step and give the pairs/s those kernels allow, to set
/// beside the trainer's real pairs/s (the rest is sampling, gather, loss and bookkeeping).
/// </summary>
public sealed class LayerStepProfile : IProfileSection
{
    /// <summary>The networks profiled, as <c>--layers</c> spells them.</summary>
    public static readonly string[] Networks = ["1x14x14,c32k3,p,c64k3,p,f,128,32l", "196,512,256,32l", "1x14x14,c32k3nl,bn,relu,p,r32,r64s2,bn,relu,f,128l,bn,relu,32l"];

    public void Run(IBackend b, ProfilerOptions options, Report report)
    {
        const int rows = 2 * BatchPairs;
        foreach (var spec in Networks)
        {
            report.Heading($"Training step layer by layer: {spec}, {rows} rows");
            var config = NetworkSpec.Parse(spec, reluOnOutput: false);
            using var network = Network.Create(b, config, new Rng(7));
            var outputs = network.AllocateLayerOutputs(rows);
            var dOutputs = network.AllocateLayerOutputs(rows);
            var rng = new Random(5);
            using var input = Upload(b, Uniform(rng, rows * config.Input.Size, 0, 1));
            foreach (var d in dOutputs) b.Upload<float>(d, Uniform(rng, rows * (d.Length / rows), -1, 1));
            var layers = config.Layers;
            var table = new List<string[]>();
            double total = 0;
            for (int l = 0; l < layers.Count; l++)
            {
                var pass = Pass(b, network, l, input, outputs, rows);
                var t = Timing.Measure(() => layers[pass.Index].Forward(pass.Pass), options.Quick, b.Synchronize);
                total += t.MedianUs;
                table.Add([$"{l}: {NetworkSpec.Token(layers[l])} forward", Report.Us(t.MedianUs)]);
            }
            for (int l = layers.Count - 1; l >= 0; l--)
            {
                var gradients = config.InputsOf(l).Select(s => s < 0 ? null : dOutputs[s]).ToArray();
                var pass = Pass(b, network, l, input, outputs, rows);
                var backward = pass.Pass with { OutputGradient = dOutputs[l], InputGradients = gradients };
                var dx = gradients[0];
                var t = Timing.Measure(() => layers[pass.Index].Backward(backward), options.Quick, b.Synchronize);
                total += t.MedianUs;
                table.Add([$"{l}: {NetworkSpec.Token(layers[l])} backward{(dx == null ? " (no dX)" : "")}", Report.Us(t.MedianUs)]);
            }
            var trainingConfig = new TrainingConfig { LearningRate = 0.001 };
            using (var optimizer = new Optimizer(b, trainingConfig, config.ParameterCount))
            {
                var t = Timing.Measure(() => optimizer.Step(network.Parameters, network.Gradients, 1e-9, 1f), options.Quick, b.Synchronize);
                total += t.MedianUs;
                table.Add([$"{trainingConfig.Optimizer} over {config.ParameterCount:N0} parameters", Report.Us(t.MedianUs)]);
            }
            table.Add(["sum per step", Report.Us(total)]);
            table.Add(["pairs/s these kernels allow", $"{BatchPairs / (total * 1e-6):F0}"]);
            report.Table(["pass", "median µs"], table);
            foreach (var o in outputs) o.Dispose();
            foreach (var o in dOutputs) o.Dispose();
        }
    }

    /// <summary>Layer <paramref name="l"/>'s training pass over its inputs (the graph's), as the step runs it.</summary>
    static (int Index, LayerPass Pass) Pass(IBackend b, Network network, int l, DeviceBuffer<float> input, DeviceBuffer<float>[] outputs, int rows) =>
        (l, new LayerPass(b, network.LayerSlices(l), network.Config.InputsOf(l).Select(s => s < 0 ? input : outputs[s]).ToArray(),
            outputs[l], rows, PassMode.Training, LayerDropout.None));
}
