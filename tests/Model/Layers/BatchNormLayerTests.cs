using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;
using GpuSiamese.Tests.Kernels;

namespace GpuSiamese.Tests.Model.Layers;

/// <summary>
/// The batch-norm layer in a network: training moves the running averages (and keeps them in checkpoints and the best
/// epoch), scoring uses them, so an image's embedding does not depend on the rest of its batch; a residual network trains
/// on every backend.
/// </summary>
public class BatchNormLayerTests
{
    const string Residual = "1x14x14,c4k3nl,bn,relu,r4,r6s2,bn,relu,gap,5l";

    static IEnumerable<BackendCase> WithReference() =>
        BackendCases.All().Where(c => c.Name is "simd" or "ilgpu-cpu" or "ilgpu-opencl").Prepend(new BackendCase("reference", () => new ReferenceBackend(), null));

    static Trainer Trained(IBackend backend, int epochs = 1)
    {
        var set = SyntheticDigits.Create(perDigit: 6, seed: 1);
        var config = new TrainingConfig
        {
            Network = NetworkSpec.Parse(Residual),
            Loss = LossKind.ContrastiveMargin, Margin = 2, BatchPairs = 8, PairsPerEpoch = 32, Epochs = epochs, MonitorPairs = 20,
            LearningRate = 0.01,
        };
        var trainer = new Trainer(backend, config, set, set, new Rng(7));
        trainer.Train();
        return trainer;
    }

    [TestCaseSource(nameof(WithReference))]
    public void AResidualNetworkTrainsAndMovesTheRunningAverages(BackendCase c)
    {
        using var backend = BackendCases.Open(c);
        var initial = Network.InitialState(NetworkSpec.Parse(Residual));
        using var trainer = Trained(backend);
        var state = trainer.Network.DownloadState();
        Assert.That(state, Has.Length.EqualTo(initial.Length).And.Length.GreaterThan(0));
        Assert.That(state, Is.Not.EqualTo(initial), "training moved the running mean and variance");
        Assert.That(state.All(float.IsFinite) && trainer.Network.DownloadParameters().All(float.IsFinite));
        var checkpoint = trainer.CreateCheckpoint();
        Assert.That(checkpoint.State, Is.EqualTo(state));
    }

    [TestCaseSource(nameof(WithReference))]
    public void AnImagesEmbeddingDoesNotDependOnItsBatch(BackendCase c)
    {
        using var backend = BackendCases.Open(c);
        using var trainer = Trained(backend);
        var set = SyntheticDigits.Create(perDigit: 4, seed: 9);
        using var evaluator = new Evaluator(trainer.Network);
        var alone = evaluator.Embed(set.Pixels.AsSpan(0, ImageSet.Size), 1);
        var all = evaluator.Embed(set);
        Assert.That(alone, Is.EqualTo(all.AsSpan(0, alone.Length).ToArray()).Within(1e-5), "image 0 alone and among 40");
        var reversed = new float[set.Pixels.Length];
        for (int i = 0; i < set.Count; i++) set.Pixels.AsSpan((set.Count - 1 - i) * ImageSet.Size, ImageSet.Size).CopyTo(reversed.AsSpan(i * ImageSet.Size));
        var last = evaluator.Embed(reversed, set.Count);
        Assert.That(last.AsSpan(last.Length - alone.Length).ToArray(), Is.EqualTo(alone).Within(1e-5), "image 0 last of a reversed batch");
    }

    [Test]
    public void ACheckpointKeepsTheStateAndTheBestEpochsState()
    {
        string dir = Directory.CreateTempSubdirectory("gpusiamese-bn-").FullName;
        try
        {
            using var backend = new SimdBackend(threads: 2);
            using var trainer = Trained(backend, epochs: 2);
            string path = Path.Combine(dir, "model.ckpt");
            var saved = trainer.CreateCheckpoint();
            CheckpointFile.Save(path, saved);
            var back = CheckpointFile.Load(path);
            Assert.That(back.State, Is.EqualTo(saved.State));
            Assert.That(back.Resume!.BestState, Is.EqualTo(saved.Resume!.BestState));
            Assert.That(back.Resume.BestState, Has.Length.EqualTo(back.Network.StateCount));
            // Scoring with the loaded model gives the trained network's embeddings.
            var set = SyntheticDigits.Create(perDigit: 2, seed: 4);
            using var loaded = new Network(backend, back.Network, back.Parameters, back.State);
            using var before = new Evaluator(trainer.Network);
            using var after = new Evaluator(loaded);
            Assert.That(after.Embed(set), Is.EqualTo(before.Embed(set)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
