using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Host;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// A small MNIST-shaped data folder (random 28x28 pixels, labels cycling 0..9, written as IDX files) and the
/// options of a training run on it that takes well under a second, for driving the real program end to end.
/// </summary>
public static class SmallRun
{
    public const int TrainImages = 300, TestImages = 100;

    /// <summary>Writes the four IDX files into <paramref name="folder"/> (plain or gzip).</summary>
    public static string WriteData(string folder, bool gzip = false)
    {
        IdxBytes.WriteMnistFolder(folder, TrainImages, TestImages, gzip);
        return folder;
    }

    /// <summary>
    /// The training options of a tiny run (196-16-4 unless told) on <paramref name="data"/>, every option given;
    /// <c>--quiet</c> unless <paramref name="quiet"/> is false (then progress lines go to stdout).
    /// </summary>
    public static string[] TrainArgs(string data, string runs, string accelerator = "simd", int epochs = 2,
        int pairsPerEpoch = 96, ulong seed = 5, string layers = "196,16,4", bool quiet = true) =>
    [
        "train", "--data", data, "--runs", runs, "--accelerator", accelerator, .. (quiet ? (string[])["--quiet"] : []), "--layers", layers,
        "--batch", "16", "--pairs-per-epoch", pairsPerEpoch.ToString(), "--epochs", epochs.ToString(),
        "--monitor-pairs", "20", "--positives-per-digit", "5", "--negatives-per-pair", "2", "--seed", seed.ToString(),
    ];

    public static HostRun Train(params string[] args) => HostRun.Of(new ModelJobs(), args);

    /// <summary>The one run folder under <paramref name="runs"/>.</summary>
    public static string OnlyRunFolder(string runs) => Directory.GetDirectories(runs).Single();

    /// <summary>A valid scoring checkpoint of a 196-16-4 network with seeded random parameters.</summary>
    public static string WriteCheckpoint(string path, int[]? layers = null)
    {
        var network = new NetworkConfig(layers ?? [196, 16, 4]);
        var random = new Random(11);
        var parameters = Enumerable.Range(0, network.ParameterCount).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        CheckpointFile.Save(path, new Checkpoint(network, new TrainingConfig { Network = network }, parameters, 1.0, null));
        return path;
    }
}
