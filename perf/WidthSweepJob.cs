using System.Diagnostics;
using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Perf;

/// <summary>One point of the width sweep, as the child process reports it (JSON on one line).</summary>
public sealed record WidthSweepResult(string Backend, int Width, string Layers, int Threads, long Pairs, double TrainSeconds,
    double PairsPerSecond, double GflopPerSecond, double TrainingFlopsPerPair, long PeakRssBytes, string LoadAverage, double CpuSeconds);

/// <summary>
/// gpusiamese-perf --sweep-width W [--accelerator simd|opencl] [--threads N]: one epoch of 196-W-W/2-64 (ReLU hidden,
/// linear output, margin contrastive loss m = 1, Adam 0.001, batch 64 pairs, 60,000 pairs, or GPUSIAMESE_SWEEP_PAIRS) on real MNIST through
/// <see cref="TrainingRun"/>, in this process alone so that its peak RSS is the job's. perf/width_sweep.py runs it
/// for every width and thread count beside PyTorch. Training FLOPs per pair: both images' forward, weight
/// gradients of every layer and data gradients of all but the first (the input needs none).
/// </summary>
public static class WidthSweepJob
{
    public const string Marker = "SWEEP-RESULT ";

    public static int[] Layers(int width) => [NetworkConfig.InputWidth, width, width / 2, 64];

    /// <summary>Training FLOPs of one pair (two rows) through <paramref name="layers"/>.</summary>
    public static double FlopsPerPair(int[] layers)
    {
        double f = 0;
        for (int l = 0; l + 1 < layers.Length; l++)
        {
            double mm = 2.0 * layers[l] * layers[l + 1];
            f += mm * (l == 0 ? 2 : 3);
        }
        return 2 * f;
    }

    public static int Run(ProfilerOptions options, int width)
    {
        // GPUSIAMESE_SWEEP_PAIRS shortens the epoch (the sweep script's --pairs) where a loaded machine leaves no time for it.
        int pairs = int.TryParse(Environment.GetEnvironmentVariable("GPUSIAMESE_SWEEP_PAIRS"), out int p) && p >= 64 ? p : 60_000;
        Action<string> log = m => Console.Error.WriteLine(m);
        using IBackend backend = Accelerators.Create(options.Accelerator, log, options.Threads, options.MaxVectorBits);
        int[] layers = Layers(width);
        var config = new TrainingConfig
        {
            Network = new NetworkConfig(layers, reluOnOutput: false),
            Loss = LossKind.ContrastiveMargin, Margin = 1.0,
            Optimizer = OptimizerKind.Adam, LearningRate = 0.001,
            Epochs = 1, BatchPairs = 64, PairsPerEpoch = pairs,
            // The epoch-end monitor scores a small set only, so that the process's CPU time is the steps'.
            MonitorPairs = 200,
        };
        // The product's pipeline (seed 1's split and generators), trained without checkpoints and not evaluated.
        using var run = new TrainingRun(new TrainingRequest(config));
        run.Prepare(backend, log);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        run.Train(checkpointPath: null, log);
        var history = run.Trainer.History;
        // The process's CPU time over the epoch (the monitor's scoring included): on a loaded machine, the
        // cores' worth of time the job actually got.
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        // Training alone: the epoch's pairs over its steps' time (the per-epoch monitor scoring excluded).
        double pairsPerSecond = history[^1].PairsPerSecond;
        double seconds = config.PairsPerEpoch / pairsPerSecond;
        double flops = FlopsPerPair(layers);
        var result = new WidthSweepResult(backend.Name, width, string.Join('-', layers), backend is SimdBackend s ? s.Threads : 0,
            config.PairsPerEpoch, seconds, pairsPerSecond, flops * pairsPerSecond / 1e9, flops, PeakRss(),
            File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "", cpuSeconds);
        Console.WriteLine(Marker + JsonSerializer.Serialize(result));
        return 0;
    }

    static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
