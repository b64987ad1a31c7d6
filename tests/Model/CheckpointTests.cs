using System.Text;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class CheckpointTests
{
    string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("gpusiamese-ckpt-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    static Checkpoint Sample(bool withResume = true)
    {
        var network = new NetworkConfig([196, 6, 3], reluOnOutput: false);
        var training = new TrainingConfig
        {
            Network = network, Q = 3.5, LearningRate = 0.002, Epochs = 7, BatchPairs = 32, Seed = 99,
            Schedule = LearningRateSchedule.Cosine, ClipNorm = 2.5, Nesterov = true, Optimizer = OptimizerKind.Adam,
            Augment = true, AugmentRotation = 10, EarlyStoppingPatience = 3,
        };
        var rng = new Random(4);
        float[] Tensor() => Enumerable.Range(0, network.ParameterCount).Select(_ => (float)rng.NextDouble()).ToArray();
        var resume = withResume
            ? new TrainerState([Tensor(), Tensor()], 123, 456, 78.5, Encoding.UTF8.GetBytes("{\"cursor\":3}"), [1UL, 2UL, 3UL, 4UL, 0UL, 0UL])
            : null;
        return new Checkpoint(network, training, Tensor(), 0.8125, resume);
    }

    string Saved(Checkpoint c)
    {
        string path = Path.Combine(_dir, "model.ckpt");
        CheckpointFile.Save(path, c);
        return path;
    }

    [Test]
    public void RoundTripKeepsEverything([Values] bool withResume)
    {
        var c = Sample(withResume);
        var back = CheckpointFile.Load(Saved(c));
        Assert.That(back.Network, Is.EqualTo(c.Network));
        Assert.That(back.Training, Is.EqualTo(c.Training));
        Assert.That(back.Parameters, Is.EqualTo(c.Parameters));
        Assert.That(back.Threshold, Is.EqualTo(c.Threshold));
        if (!withResume)
        {
            Assert.That(back.Resume, Is.Null);
            return;
        }
        var r = back.Resume!;
        Assert.That(r.OptimizerState, Is.EqualTo(c.Resume!.OptimizerState));
        Assert.That((r.OptimizerSteps, r.Step, r.EpochLossSum), Is.EqualTo((123L, 456L, 78.5)));
        Assert.That(r.SamplerState, Is.EqualTo(c.Resume.SamplerState));
        Assert.That(r.RngState, Is.EqualTo(c.Resume.RngState));
    }

    [Test]
    public void SaveReplacesAtomicallyAndLeavesNoTemporaryFile()
    {
        var path = Saved(Sample());
        var second = Sample() with { Threshold = 1.5 };
        CheckpointFile.Save(path, second);
        Assert.That(CheckpointFile.Load(path).Threshold, Is.EqualTo(1.5));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void EveryTruncationIsRefusedNamingTheFile()
    {
        var path = Saved(Sample());
        var bytes = File.ReadAllBytes(path);
        string cut = Path.Combine(_dir, "cut.ckpt");
        foreach (int length in new[] { 0, 5, 19, 20, 100, bytes.Length / 2, bytes.Length - 33, bytes.Length - 1 })
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Assert.Throws<InvalidDataException>(() => CheckpointFile.Load(cut), $"cut at {length}")!;
            Assert.That(e.Message, Does.Contain(cut));
            Assert.That(e.Message, Does.Contain("truncated").Or.Contain("shorter"), $"cut at {length}: {e.Message}");
        }
    }

    [Test]
    public void AnyFlippedPayloadBitFailsTheChecksum()
    {
        var path = Saved(Sample());
        var bytes = File.ReadAllBytes(path);
        var rng = new Random(1);
        for (int trial = 0; trial < 50; trial++)
        {
            var copy = (byte[])bytes.Clone();
            int at = 20 + rng.Next(copy.Length - 20);
            copy[at] ^= (byte)(1 << rng.Next(8));
            File.WriteAllBytes(path, copy);
            var e = Assert.Throws<InvalidDataException>(() => CheckpointFile.Load(path))!;
            Assert.That(e.Message, Does.Contain("checksum"), $"bit flipped at byte {at}: {e.Message}");
        }
    }

    [Test]
    public void WrongMagicSaysItIsNotACheckpoint()
    {
        var path = Saved(Sample());
        var bytes = File.ReadAllBytes(path);
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("not a GpuSiamese checkpoint"));
    }

    [Test]
    public void FutureVersionSaysSo()
    {
        var path = Saved(Sample());
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), CheckpointFile.FormatVersion + 1);
        File.WriteAllBytes(path, bytes);
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains($"format version {CheckpointFile.FormatVersion + 1}").And.Message.Contains("newer"));
    }

    [Test]
    public void TrailingBytesAreRefused()
    {
        var path = Saved(Sample());
        File.AppendAllText(path, "junk");
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("trailing"));
    }

    [Test]
    public void InferenceRefusesAnotherArchitecture()
    {
        var path = Saved(Sample());
        Assert.That(CheckpointFile.LoadForInference(path, new NetworkConfig([196, 6, 3], false)).Network.OutputWidth, Is.EqualTo(3));
        Assert.That(CheckpointFile.LoadForInference(path, null).Network.OutputWidth, Is.EqualTo(3));
        var e = Assert.Throws<InvalidDataException>(() => CheckpointFile.LoadForInference(path, NetworkConfig.Default))!;
        Assert.That(e.Message, Does.Contain("196-6-3").And.Contain("196-200-10").And.Contain(path));
    }

    [Test]
    public void ParameterCountThatDisagreesWithTheShapeIsRefused()
    {
        var c = Sample(withResume: false) with { Parameters = new float[10] };
        var path = Saved(c);
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("holds 10 values"));
    }

    [Test]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(_dir, "absent.ckpt");
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<FileNotFoundException>().With.Message.Contains(path));
    }
}
