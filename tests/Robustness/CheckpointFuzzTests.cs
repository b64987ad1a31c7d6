using System.Security.Cryptography;
using System.Text;
using GpuSiamese.Model;
using GpuSiamese.Tests.Data;
using TempFolder = GpuSiamese.Tests.Data.TempFolder;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// Seeded fuzzing of the checkpoint loader with the same mutations as the data loaders' fuzzer (tests/Data/
/// LoaderFuzzTests: IDX, .npy, images): whole files mutated (the checksum then catches payload damage, so this
/// drives the header checks), and payloads mutated under a recomputed, valid checksum (this drives the parser
/// behind it). The documented contract: an <see cref="InvalidDataException"/> naming the file, or a checkpoint
/// that is well formed. Anything else fails and names the input.
/// </summary>
public class CheckpointFuzzTests
{
    const int Inputs = 2000;
    const int HeaderLength = 20, HashLength = 32;

    static byte[] Seed(bool withResume)
    {
        var network = new NetworkConfig([196, 4, 2], reluOnOutput: false);
        var training = new TrainingConfig { Network = network, Epochs = 3, BatchPairs = 8, PairsPerEpoch = 64, ClipNorm = 1, Seed = 7 };
        var random = new Random(3);
        float[] Tensor() => Enumerable.Range(0, network.ParameterCount).Select(_ => (float)random.NextDouble()).ToArray();
        var resume = withResume
            ? new TrainerState([Tensor(), Tensor()], 12, 10, 3.25, Encoding.UTF8.GetBytes("{\"Cursor\":3}"), [1UL, 2UL, 3UL, 4UL],
                [new EpochReport(1, 0.9, 0.91, 0.92, 0.95, 0.8, 0.01, 1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))], Tensor())
            : null;
        using var folder = new TempFolder();
        string path = folder.File("seed.ckpt");
        CheckpointFile.Save(path, new Checkpoint(network, training, Tensor(), 0.75, resume));
        return File.ReadAllBytes(path);
    }

    /// <summary>A file around <paramref name="payload"/> with a correct header length and checksum.</summary>
    static byte[] WithValidChecksum(byte[] original, byte[] payload)
    {
        var file = new byte[HeaderLength + payload.Length + HashLength];
        original.AsSpan(0, 12).CopyTo(file);
        BitConverter.TryWriteBytes(file.AsSpan(12), (long)payload.Length);
        payload.CopyTo(file, HeaderLength);
        SHA256.HashData(payload).CopyTo(file, HeaderLength + payload.Length);
        return file;
    }

    [TestCase(false, TestName = "Checkpoint loader fuzz, whole file mutated (checksum as found)")]
    [TestCase(true, TestName = "Checkpoint loader fuzz, payload mutated under a recomputed checksum")]
    public void Checkpoint_loader_throws_only_invalid_data(bool recomputeChecksum)
    {
        byte[][] seeds = [Seed(withResume: true), Seed(withResume: false)];
        var mutator = new ByteMutator(new Random(recomputeChecksum ? 61 : 60));
        using var folder = new TempFolder();
        string path = folder.File("fuzz.ckpt");
        var failures = new List<string>();
        int loaded = 0, refused = 0;
        for (int n = 0; n < Inputs; n++)
        {
            byte[] seed = seeds[n % 2];
            byte[] file = recomputeChecksum
                ? WithValidChecksum(seed, mutator.Mutate(seed[HeaderLength..^HashLength]))
                : mutator.Mutate(seed);
            File.WriteAllBytes(path, file);
            try
            {
                var c = CheckpointFile.Load(path);
                string? fault = Malformed(c);
                if (fault is not null) failures.Add($"input {n}: loaded but {fault}");
                loaded++;
            }
            catch (InvalidDataException e) when (e.Message.StartsWith($"checkpoint '{path}': ", StringComparison.Ordinal))
            {
                refused++;
            }
            catch (Exception e)
            {
                failures.Add($"input {n}: {e.GetType().Name}: {e.Message}");
            }
        }
        TestContext.Out.WriteLine($"{Inputs} inputs: {loaded} loaded, {refused} refused with InvalidDataException, {failures.Count} failures");
        Assert.That(failures.Take(10), Is.Empty, $"{failures.Count} inputs broke the contract");
        Assert.That(refused, Is.GreaterThan(Inputs / 2), "most mutations are caught, so the fuzzer reached the checks");
        Assert.That(loaded, Is.GreaterThan(0), "untouched inputs load, so the harness itself works");
    }

    static string? Malformed(Checkpoint c)
    {
        if (c.Parameters.Length != c.Network.ParameterCount) return "the parameter count disagrees with the network";
        if (!c.Training.Network.Equals(c.Network)) return "the training configuration names another network";
        try { c.Training.Validate(); }
        catch (ArgumentException e) { return "its configuration is invalid: " + e.Message; }
        if (c.Resume is { } r)
        {
            if (r.OptimizerState.Any(t => t.Length != c.Network.ParameterCount)) return "an optimizer tensor has the wrong length";
            if (r.BestParameters is { } best && best.Length != c.Network.ParameterCount) return "the best parameters have the wrong length";
            if (r.Step < 0 || r.OptimizerSteps < 0) return "a step counter is negative";
        }
        return null;
    }
}
