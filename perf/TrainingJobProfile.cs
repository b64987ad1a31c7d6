using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>
/// The exercise's job through the real trainer and evaluator (<see cref="TrainingJob"/>), in a child process
/// so that the peak RSS is the backend's own: training pairs/s, the job's wall time, kernel loading, scoring
/// the balanced test set each distinct image once vs every pair's two images, peak RSS.
/// </summary>
public sealed class TrainingJobProfile : IProfileSection
{
    /// <summary>PyTorch 1.13 + OpenBLAS on this machine, the same job (issue 4).</summary>
    public const double PyTorchJobSeconds = 5.1, PyTorchPairsPerSecond = 58_000;

    public void Run(IBackend backend, ProfilerOptions options, Report report)
    {
        report.Heading("The exercise's job through GpuSiamese.Model.Trainer (real MNIST, own process)");
        TrainingJobResult r;
        try
        {
            r = TrainingJob.RunInChild(options);
        }
        catch (InvalidOperationException e)
        {
            report.Line($"Not measured: {e.Message}");
            return;
        }
        double fullJob = r.TrainSeconds * 5 / r.Epochs;
        report.Table(["figure", "value", "PyTorch 1.13 (reference)"],
        [
            ["training pairs/s (steps only, per-epoch monitoring excluded)", $"{r.TrainingPairsPerSecond:N0}", $"≈ {PyTorchPairsPerSecond:N0}"],
            [r.Epochs == 5 ? "job wall time, 5 epochs x 60,000 pairs (monitoring included)" : $"job wall time, estimated from {r.Epochs} epoch(s)",
                $"{fullJob:F2} s", $"≈ {PyTorchJobSeconds} s ({PyTorchJobSeconds / fullJob:F2}x)"],
            ["test AUC (balanced 17,000 pairs, seed 1)", $"{r.TestAuc:F4}", ""],
            ["scoring, every pair's two images (34,000 rows)", $"{r.ScoringPerPairMs:F2} ms = {r.ScoringPairs / r.ScoringPerPairMs * 1e3:N0} pairs/s", ""],
            ["scoring, each distinct image once (Evaluator default)", $"{r.ScoringOnceMs:F2} ms = {r.ScoringPairs / r.ScoringOnceMs * 1e3:N0} pairs/s", ""],
            ["scoring speed-up, same run", $"{r.ScoringPerPairMs / r.ScoringOnceMs:F2}x", ""],
            ["scoring with the 10,000-image upload (first call, as the host does, with the ROC analysis)", $"{r.ScoringWithUploadMs:F1} ms", ""],
            ["backend created (kernel compile/load)", $"{r.CreateSeconds:F2} s ({r.KernelLoadSeconds:F2} s)", ""],
            ["MNIST load", $"{r.DataSeconds:F2} s", ""],
            ["peak RSS of the job's process (VmHWM)", $"{r.PeakRssBytes / (1 << 20):N0} MiB", ""],
        ]);
        report.Line($"{r.Backend}; final epoch mean loss {r.MeanLoss:F4}. Scoring medians of alternating runs over a table uploaded once.");
    }
}
