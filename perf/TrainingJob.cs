using System.Diagnostics;
using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Perf;

/// <summary>What one backend's exercise job measured, as the child process reports it to the profiler.</summary>
public sealed record TrainingJobResult(
    string Backend, double CreateSeconds, double KernelLoadSeconds, double DataSeconds, int Epochs, long Pairs,
    double TrainSeconds, double TrainingPairsPerSecond, double MeanLoss, double TestAuc,
    double ScoringPerPairMs, double ScoringOnceMs, double ScoringWithUploadMs, int ScoringPairs, long PeakRssBytes);

/// <summary>
/// The exercise's job run through the product's <see cref="TrainingRun"/> in a process of
/// its own (gpusiamese-perf --job KIND), so that its peak RSS (VmHWM) is that backend's alone: real MNIST,
/// 196-200-10 ReLU/ReLU, bounded contrastive Q = 5, Adam 0.01, batch 64, 5 epochs of 60,000 pairs
/// (1 epoch with --quick), then the balanced 17,000-pair test set scored both ways.
/// </summary>
public static class TrainingJob
{
    const string Marker = "JOB-RESULT ";

    /// <summary>Child side: runs the job and prints one line holding the result as JSON.</summary>
    public static int RunChild(ProfilerOptions options)
    {
        var created = Stopwatch.StartNew();
        using IBackend backend = Accelerators.Create(options.Accelerator, m => Console.Error.WriteLine(m), options.Threads, options.MaxVectorBits);
        double createSeconds = created.Elapsed.TotalSeconds;
        double kernelSeconds = backend is IlgpuBackend ilgpu ? ilgpu.KernelLoadTime.TotalSeconds : 0;

        // The product's own pipeline (TrainingRun), stage by stage: the host's data, split, seed forking and test pairs.
        var config = new TrainingConfig { Epochs = options.Quick ? 1 : 5 };
        using var run = new TrainingRun(new TrainingRequest(config));
        Action<string> log = m => Console.Error.WriteLine(m);
        var dataClock = Stopwatch.StartNew();
        run.Prepare(backend, log);
        double dataSeconds = dataClock.Elapsed.TotalSeconds;

        var clock = Stopwatch.StartNew();
        run.Train(checkpointPath: null, log);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var history = run.Trainer.History;
        // Training alone: each epoch's pairs over its training time (the per-epoch monitor scoring excluded).
        double stepSeconds = history.Sum(r => config.PairsPerEpoch / r.PairsPerSecond);

        // The first scoring of the test set, the image table uploaded with it (and its ROC analysis).
        var outcome = run.Evaluate(log);
        double withUploadMs = outcome.Timings.EvaluationSeconds * 1000;
        double auc = outcome.Metrics.Auc;
        var (test, testPairs) = (run.Data.Test, run.Data.TestPairs);
        var evaluator = run.Trainer.Evaluator;
        using var table = new ImageTable(backend, test);
        var once = new List<double>();
        var perPair = new List<double>();
        for (int k = 0; k < (options.Quick ? 3 : 7); k++)
            foreach (bool embedOnce in new[] { false, true })
            {
                evaluator.EmbedEachImageOnce = embedOnce;
                var t = Stopwatch.StartNew();
                evaluator.Distances(table, testPairs);
                (embedOnce ? once : perPair).Add(t.Elapsed.TotalMilliseconds);
            }
        evaluator.EmbedEachImageOnce = true;

        var result = new TrainingJobResult(backend.Name, createSeconds, kernelSeconds, dataSeconds, config.Epochs,
            (long)config.Epochs * config.PairsPerEpoch, trainSeconds, config.Epochs * config.PairsPerEpoch / stepSeconds,
            history[^1].MeanLoss, auc, Median(perPair), Median(once), withUploadMs, testPairs.Count, PeakRss());
        Console.WriteLine(Marker + JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Parent side: runs the job of <paramref name="accelerator"/> in a child process and reads its result.</summary>
    public static TrainingJobResult RunInChild(ProfilerOptions options)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("the profiler cannot find its own executable");
        start.FileName = self;
        // Under `dotnet gpusiamese-perf.dll` the host is dotnet: hand it the assembly again.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(TrainingJob).Assembly.Location);
        foreach (var a in new[] { "--job", options.Accelerator, "--vector-bits", options.MaxVectorBits.ToString() }) start.ArgumentList.Add(a);
        if (options.Threads is { } threads) { start.ArgumentList.Add("--threads"); start.ArgumentList.Add(threads.ToString()); }
        if (options.Quick) start.ArgumentList.Add("--quick");
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line == null)
            throw new InvalidOperationException($"the {options.Accelerator} job exited with code {child.ExitCode} and no result:{Environment.NewLine}{output}");
        return JsonSerializer.Deserialize<TrainingJobResult>(line[Marker.Length..])!;
    }

    static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>VmHWM of this process (Linux), else the runtime's peak working set.</summary>
    static long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
