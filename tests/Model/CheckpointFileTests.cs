using System.Text;
using GpuSiamese.Data;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class CheckpointFileTests
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
            ? new TrainerState([Tensor(), Tensor()], 123, 456, 78.5, Encoding.UTF8.GetBytes("{\"cursor\":3}"), [1UL, 2UL, 3UL, 4UL, 0UL, 0UL],
                [new EpochReport(1, 0.9, 0.91, 0.92, 0.95, 2.5, 0.01, 12345, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)),
                 new EpochReport(2, 0.7, 0.93, 0.94, 0.97, 2.7, 0.005, 23456, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(9))],
                Tensor())
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
        Assert.That(r.History, Is.EqualTo(c.Resume.History));
        Assert.That(r.BestParameters, Is.EqualTo(c.Resume.BestParameters));
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
    public void TripletAndDropoutSettingsRoundTrip()
    {
        var c = Sample();
        c = c with { Training = c.Training with { Loss = LossKind.Triplet, TripletMargin = 0.3,
            Mining = TripletMining.BatchHard, MiningWarmupEpochs = 3, Dropout = 0.25 } };
        Assert.That(CheckpointFile.Load(Saved(c)).Training, Is.EqualTo(c.Training));
    }

    [Test]
    public void VersionOneFilesStillLoadWithTheNewSettingsAtTheirDefaults()
    {
        // A version-1 file is a version-2 file without the four trailing training fields (24 bytes) after the
        // patience; built here from a fresh save whose training block is rewritten in the old fixed order.
        var c = Sample();
        string path = Path.Combine(_dir, "v1.ckpt");
        File.WriteAllBytes(path, LegacyCheckpoint.Rewrite(File.ReadAllBytes(Saved(c)), c, version: 1));
        var back = CheckpointFile.Load(path);
        Assert.That(back.Training, Is.EqualTo(c.Training));
        Assert.That((back.Training.TripletMargin, back.Training.Mining, back.Training.MiningWarmupEpochs, back.Training.Dropout),
            Is.EqualTo((1.0, TripletMining.None, 1, 0.0)));
        Assert.That(back.Resume!.History, Is.EqualTo(c.Resume!.History));
    }

    [Test]
    public void PreprocessingAndClassNamesRoundTrip()
    {
        var folderNet = NetworkSpec.Parse("3x10x10,c4k3,p,f,6l");
        var c = new Checkpoint(folderNet, new TrainingConfig { Network = folderNet, Dataset = "/some/folder", InputSize = 10, Channels = 3, HoldoutClasses = "2" },
            Enumerable.Range(0, folderNet.ParameterCount).Select(i => i * 0.001f).ToArray(), 0.7, null)
        {
            Preprocessing = new Preprocessing(new ImageShape(3, 10, 10), 1, ImageFit.Stretch, InvertMode.NoInvert),
            ClassNames = ["buses", "dinosaurs", "elephants", "flowers", "horses"],
        };
        var back = CheckpointFile.Load(Saved(c));
        Assert.That(back.Preprocessing, Is.EqualTo(c.Preprocessing));
        Assert.That(back.ClassNames, Is.EqualTo(c.ClassNames));
        Assert.That(back.Training, Is.EqualTo(c.Training));
        Assert.That(back.Network, Is.EqualTo(folderNet));
    }

    [Test]
    public void VersionFourFilesLoadWithoutState([Values] bool withResume)
    {
        // Format 4 wrote no state after the parameters nor after the best epoch's: their networks had none.
        var c = Sample(withResume) with { Preprocessing = new Preprocessing(new ImageShape(1, 14, 14), 2, ImageFit.Stretch, InvertMode.NoInvert) };
        string path = Path.Combine(_dir, "v4.ckpt");
        File.WriteAllBytes(path, LegacyCheckpoint.Rewrite(File.ReadAllBytes(Saved(c)), c, version: 4));
        var back = CheckpointFile.Load(path);
        Assert.That(back.Preprocessing, Is.EqualTo(c.Preprocessing));
        Assert.That(back.Parameters, Is.EqualTo(c.Parameters));
        Assert.That(back.State, Is.Empty);
        if (withResume) Assert.That(back.Resume!.BestParameters, Is.EqualTo(c.Resume!.BestParameters));
    }

    [Test]
    public void VersionThreeFilesLoadAsMnistAtFourteenPixels()
    {
        var c = Sample() with { Preprocessing = Preprocessing.MnistDefault };
        string path = Path.Combine(_dir, "v3.ckpt");
        File.WriteAllBytes(path, LegacyCheckpoint.Rewrite(File.ReadAllBytes(Saved(c)), c, version: 3));
        var back = CheckpointFile.Load(path);
        Assert.That(back.Preprocessing, Is.EqualTo(Preprocessing.MnistDefault));
        Assert.That(back.ClassNames, Is.EqualTo(MnistSource.ClassNames));
        Assert.That(back.Training, Is.EqualTo(c.Training));
        Assert.That(back.Parameters, Is.EqualTo(c.Parameters));
    }

    [Test]
    public void VersionTwoFilesStillLoad()
    {
        var c = Sample();
        c = c with { Training = c.Training with { Loss = LossKind.Triplet, TripletMargin = 0.3, Dropout = 0.25 } };
        string path = Path.Combine(_dir, "v2.ckpt");
        File.WriteAllBytes(path, LegacyCheckpoint.Rewrite(File.ReadAllBytes(Saved(c)), c, version: 2));
        var back = CheckpointFile.Load(path);
        Assert.That(back.Training, Is.EqualTo(c.Training));
        Assert.That(back.Parameters, Is.EqualTo(c.Parameters));
    }

    [Test]
    public void AnUnknownSettingKeyIsRefusedByName()
    {
        var c = Sample(withResume: false);
        var bytes = File.ReadAllBytes(Saved(c));
        string key = TrainingConfig.Settings[0].Key, renamed = "zz" + key[2..];
        string path = Path.Combine(_dir, "renamed.ckpt");
        File.WriteAllBytes(path, LegacyCheckpoint.WithPayload(bytes, 3, LegacyCheckpoint.Payload(bytes).Replace(key, renamed)));
        Assert.That(() => CheckpointFile.Load(path), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains($"unknown training setting '{renamed}'"));
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
    public void MutatedPayloadsWithAValidChecksumGiveOnlyInvalidDataOrACheckpoint()
    {
        // The checksum stops random damage; this checks the parser behind it against crafted payloads.
        var path = Saved(Sample());
        var bytes = File.ReadAllBytes(path);
        int payloadLength = bytes.Length - 20 - 32;
        var rng = new Random(17);
        int refused = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var payload = bytes.AsSpan(20, payloadLength).ToArray();
            if (trial % 3 == 0)
                payload = payload[..rng.Next(payload.Length)];
            int flips = 1 + rng.Next(8);
            for (int f = 0; f < flips && payload.Length > 0; f++)
                payload[rng.Next(Math.Min(payload.Length, trial % 2 == 0 ? 200 : payload.Length))] = (byte)rng.Next(256);
            var file = new byte[20 + payload.Length + 32];
            bytes.AsSpan(0, 12).CopyTo(file);
            BitConverter.TryWriteBytes(file.AsSpan(12), (long)payload.Length);
            payload.CopyTo(file, 20);
            System.Security.Cryptography.SHA256.HashData(payload).CopyTo(file, 20 + payload.Length);
            File.WriteAllBytes(path, file);
            try
            {
                var c = CheckpointFile.Load(path);
                Assert.That(c.Parameters, Has.Length.EqualTo(c.Network.ParameterCount));
            }
            catch (InvalidDataException e)
            {
                Assert.That(e.Message, Does.StartWith($"checkpoint '{path}'"));
                refused++;
            }
        }
        Assert.That(refused, Is.GreaterThan(1000));
    }

    [Test]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(_dir, "absent.ckpt");
        Assert.That(() => CheckpointFile.Load(path), Throws.TypeOf<FileNotFoundException>().With.Message.Contains(path));
    }
}
