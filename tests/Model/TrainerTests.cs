using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model;

/// <summary>The trainer on <see cref="ReferenceBackend"/> over small synthetic digit sets.</summary>
public class TrainerTests
{
    internal static readonly ImageSet Train = SyntheticDigits.Create(perDigit: 30, seed: 1);
    internal static readonly ImageSet Validation = SyntheticDigits.Create(perDigit: 12, seed: 2);

    internal static TrainingConfig Small => new()
    {
        Network = new NetworkConfig([196, 16, 4]),
        Epochs = 3,
        BatchPairs = 16,
        PairsPerEpoch = 200,
        LearningRate = 0.005,
        MonitorPairs = 200,
    };

    internal static Trainer Create(TrainingConfig config, ulong seed = 11) =>
        new(new ReferenceBackend(), config, Train, Validation, new Rng(seed));

    [Test]
    public void LossFallsAndValidationAccuracyRises()
    {
        using var trainer = Create(Small);
        var steps = new List<StepProgress>();
        var history = trainer.Train(new SynchronousProgress<StepProgress>(steps.Add));
        Assert.That(history, Has.Count.EqualTo(3));
        Assert.That(steps, Has.Count.EqualTo(3 * 13));
        Assert.That(steps[^1].StepInEpoch, Is.EqualTo(13));
        foreach (var r in history)
            TestContext.Out.WriteLine($"epoch {r.Epoch}: loss {r.MeanLoss:F4} train {r.TrainAccuracy:P1} val {r.ValidationAccuracy:P1} AUC {r.ValidationAuc:F4} t {r.Threshold:F3}");
        Assert.That(history[^1].MeanLoss, Is.LessThan(0.6 * history[0].MeanLoss));
        Assert.That(history[^1].ValidationAuc, Is.GreaterThan(0.9).And.GreaterThan(history[0].ValidationAuc));
        Assert.That(history[^1].ValidationAccuracy, Is.GreaterThan(0.85));
        Assert.That(history[^1].TrainAccuracy, Is.GreaterThan(0.85));
        Assert.That(trainer.IsFinished, Is.True);
        Assert.That(trainer.Threshold, Is.EqualTo(history[^1].Threshold));
    }

    [Test]
    public void SameSeedGivesIdenticalParametersAndOtherSeedDoesNot()
    {
        var config = Small with { Epochs = 1 };
        float[] Run(ulong seed)
        {
            using var t = Create(config, seed);
            t.Train();
            return t.Network.DownloadParameters();
        }
        var a = Run(3);
        Assert.That(Run(3), Is.EqualTo(a));
        Assert.That(Run(4), Is.Not.EqualTo(a));
    }

    [Test]
    public void ResumeThroughACheckpointMatchesAnUninterruptedRun()
    {
        var config = Small with { Epochs = 2, PairsPerEpoch = 96 };
        float[] straight;
        float[]? straightBest;
        IReadOnlyList<EpochReport> straightHistory;
        using (var t = Create(config))
        {
            straightHistory = t.Train().ToArray();
            straight = t.Network.DownloadParameters();
            straightBest = t.BestParameters;
        }

        string dir = Directory.CreateTempSubdirectory("gpusiamese-resume-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.ckpt");
            using (var first = Create(config))
            using (var cts = new CancellationTokenSource())
            {
                // Stop in the middle of the second epoch: after 9 of its 12 steps... and the first epoch's 6.
                var progress = new SynchronousProgress<StepProgress>(p => { if (p.Epoch == 2 && p.StepInEpoch == 3) cts.Cancel(); });
                Assert.That(() => first.Train(progress, null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
                Assert.That(first.Step, Is.EqualTo(9));
                CheckpointFile.Save(path, first.CreateCheckpoint());
            }
            var saved = CheckpointFile.Load(path);
            using var second = Create(saved.Training);
            second.Restore(saved.Parameters, saved.Resume!, saved.Threshold);
            Assert.That(second.History, Has.Count.EqualTo(1), "the first epoch's report came back");
            var history = second.Train();
            Assert.That(second.Network.DownloadParameters(), Is.EqualTo(straight));
            Assert.That(history.Select(h => (h.Epoch, h.MeanLoss, h.ValidationAuc)),
                Is.EqualTo(straightHistory.Select(h => (h.Epoch, h.MeanLoss, h.ValidationAuc))));
            Assert.That(second.BestParameters, Is.EqualTo(straightBest));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void DivergenceStopsNamingEpochAndStep()
    {
        var config = Small with { Optimizer = OptimizerKind.Sgd, Momentum = 0.9, LearningRate = 1e6, Epochs = 2 };
        using var trainer = Create(config);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train())!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.Contain($"epoch {e.Epoch}, step {e.StepInEpoch}"));
        Assert.That(e.GlobalStep, Is.GreaterThan(1));
        // A non-finite loss is caught before its update (Step = GlobalStep − 1); a non-finite parameter at the
        // end of the epoch after it (Step = GlobalStep). Either way nothing later ran.
        Assert.That(trainer.Step, Is.InRange(e.GlobalStep - 1, e.GlobalStep));
    }

    [Test]
    public void ClippingBoundsTheUpdate()
    {
        // With SGD, momentum 0 and lr 1, one step moves θ by exactly the (scaled) gradient: its norm is ≤ the clip.
        var config = Small with { Optimizer = OptimizerKind.Sgd, Momentum = 0, LearningRate = 1, ClipNorm = 1e-3, Epochs = 1, PairsPerEpoch = 16 };
        using var trainer = Create(config);
        var before = trainer.Network.DownloadParameters();
        trainer.Train();
        var after = trainer.Network.DownloadParameters();
        double norm = Math.Sqrt(before.Zip(after, (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.That(norm, Is.EqualTo(1e-3).Within(1e-5));
    }

    [Test]
    public void EveryOptimizerAndLossTrains([Values] OptimizerKind optimizer, [Values] LossKind loss)
    {
        var config = Small with
        {
            Optimizer = optimizer, Loss = loss, Epochs = 3,
            LearningRate = optimizer == OptimizerKind.Sgd ? 0.05 : 0.005,
            Nesterov = optimizer == OptimizerKind.Sgd,
        };
        using var trainer = Create(config);
        var pairs = BalancedPairSet.Create(Validation, new Rng(5), 10, 2);
        double before = Roc.Auc(trainer.Evaluator.Distances(Validation, pairs), pairs.Labels);
        var history = trainer.Train();
        double after = Roc.Auc(trainer.Evaluator.Distances(Validation, pairs), pairs.Labels);
        TestContext.Out.WriteLine($"{optimizer} {loss}: AUC {before:F4} -> {after:F4}, loss {history[0].MeanLoss:F4} -> {history[^1].MeanLoss:F4}");
        Assert.That(after, Is.GreaterThan(before + 0.15), $"{optimizer} {loss}");
        Assert.That(history[^1].MeanLoss, Is.LessThan(history[0].MeanLoss));
    }

    [Test]
    public void CancelledBeforeTheFirstStepChangesNothing()
    {
        using var trainer = Create(Small);
        var before = trainer.Network.DownloadParameters();
        Assert.That(() => trainer.Train(null, null, new CancellationToken(true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(trainer.Step, Is.EqualTo(0));
        Assert.That(trainer.Network.DownloadParameters(), Is.EqualTo(before));
    }

    [Test]
    public void AugmentedTrainingLearnsIsSeededAndResumesExactly()
    {
        var train = SyntheticDigits.CreateWithOriginals(perDigit: 20, seed: 1);
        var validation = SyntheticDigits.CreateWithOriginals(perDigit: 10, seed: 2);
        var config = Small with { Augment = true, Epochs = 3, PairsPerEpoch = 160 };
        Trainer Make() => new(new ReferenceBackend(), config, train, validation, new Rng(21));

        float[] straight;
        IReadOnlyList<EpochReport> history;
        using (var t = Make())
        {
            history = t.Train();
            straight = t.Network.DownloadParameters();
        }
        Assert.That(history[^1].MeanLoss, Is.LessThan(history[0].MeanLoss));
        Assert.That(history[^1].ValidationAuc, Is.GreaterThan(0.8));

        using (var plain = new Trainer(new ReferenceBackend(), config with { Augment = false }, train, validation, new Rng(21)))
        {
            plain.Train();
            Assert.That(plain.Network.DownloadParameters(), Is.Not.EqualTo(straight), "augmentation changed what was learned");
        }

        Checkpoint saved;
        using (var first = Make())
        using (var cts = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress<StepProgress>(p => { if (p.Epoch == 2 && p.StepInEpoch == 4) cts.Cancel(); });
            Assert.That(() => first.Train(progress, null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
            saved = first.CreateCheckpoint();
        }
        using var second = Make();
        second.Restore(saved.Parameters, saved.Resume!, saved.Threshold);
        second.Train();
        Assert.That(second.Network.DownloadParameters(), Is.EqualTo(straight));
    }

    [Test]
    public void BatchIndicesOutsideTheTableAreRefused()
    {
        using var trainer = Create(Small);
        Assert.That(() => trainer.ComputeGradients([0], [Train.Count], [1]), Throws.ArgumentException.With.Message.Contains("outside the 300 training images"));
        Assert.That(() => trainer.ComputeGradients([-1], [0], [1]), Throws.ArgumentException.With.Message.Contains("image -1"));
    }

    /// <summary>
    /// A set without 28x28 originals (here MNIST-shaped floats, and RGB bytes) is augmented on its input images: mirrored
    /// and, with --augment, shifted, turned and scaled. It learns, is seeded, differs from the plain run and resumes exactly.
    /// </summary>
    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void InputImagesWithoutOriginalsAreAugmentedSeededAndResumeExactly(bool geometric, bool rgbBytes)
    {
        var train = rgbBytes ? AsRgbBytes(Train) : Train;
        var validation = rgbBytes ? AsRgbBytes(Validation) : Validation;
        var config = Small with { Augment = geometric, AugmentFlip = true, AugmentShift = 1, AugmentRotation = 5, Epochs = 4, PairsPerEpoch = 320 };
        if (rgbBytes) config = config with { Channels = 3, Network = config.Network.WithInput(new(3, 14, 14)) };
        Trainer Make(TrainingConfig c) => new(new ReferenceBackend(), c, train, validation, new Rng(21));

        float[] straight;
        using (var t = Make(config))
        {
            var history = t.Train();
            // Seeded: 0.86 → 0.97 (flip), 0.73 → 0.81 (geometric too), 0.67 → 0.78 (RGB bytes) from epoch 1 to 4.
            Assert.That(history[^1].ValidationAuc, Is.GreaterThan(Math.Max(0.75, history[0].ValidationAuc + 0.05)), "it learns");
            straight = t.Network.DownloadParameters();
        }
        using (var again = Make(config))
        {
            again.Train();
            Assert.That(again.Network.DownloadParameters(), Is.EqualTo(straight), "seeded");
        }
        using (var plain = Make(config with { Augment = false, AugmentFlip = false }))
        {
            plain.Train();
            Assert.That(plain.Network.DownloadParameters(), Is.Not.EqualTo(straight), "augmentation changed what was learned");
        }
        Checkpoint saved;
        using (var first = Make(config))
        using (var cts = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress<StepProgress>(p => { if (p.Epoch == 3 && p.StepInEpoch == 2) cts.Cancel(); });
            Assert.That(() => first.Train(progress, null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
            saved = first.CreateCheckpoint();
        }
        using var second = Make(config);
        second.Restore(saved.Parameters, saved.Resume!, saved.Threshold);
        second.Train();
        Assert.That(second.Network.DownloadParameters(), Is.EqualTo(straight), "resumed");
    }

    /// <summary>The set's grey 14x14 images as RGB bytes (each value in the three channels, rounded to 1/255).</summary>
    static ImageSet AsRgbBytes(ImageSet grey)
    {
        var bytes = new byte[grey.Count * grey.ImageSize * 3];
        var pixels = grey.ToFloats();
        for (int i = 0; i < pixels.Length; i++)
            bytes[3 * i] = bytes[3 * i + 1] = bytes[3 * i + 2] = (byte)Math.Round(pixels[i] * 255);
        return ImageSet.FromBytes(new ImageShape(3, grey.Shape.Height, grey.Shape.Width), grey.ClassCount, bytes, grey.Labels);
    }

    [Test]
    public void EarlyStoppingEndsTheRunAndKeepsTheBestEpoch()
    {
        // Adam moves each parameter by about lr per step; 1e-9 is below a float's resolution at these magnitudes,
        // so no epoch beats the first one's AUC and patience 1 ends the run after epoch 2.
        var config = Small with { Epochs = 30, PairsPerEpoch = 32, LearningRate = 1e-9, EarlyStoppingPatience = 1 };
        using var trainer = Create(config);
        var history = trainer.Train();
        Assert.That(trainer.StoppedEarly, Is.True);
        Assert.That(history, Has.Count.EqualTo(2));
        Assert.That(trainer.BestEpoch, Is.EqualTo(1));
        Assert.That(trainer.IsFinished, Is.False);

        var patient = Small with { Epochs = 4, EarlyStoppingPatience = 1 };
        using var improving = Create(patient);
        Assert.That(improving.Train(), Has.Count.EqualTo(4), "an improving run is not stopped");
        Assert.That(improving.StoppedEarly, Is.False);
        var checkpoint = trainer.CreateBestCheckpoint()!;
        Assert.That(checkpoint.Threshold, Is.EqualTo(history[trainer.BestEpoch - 1].Threshold));
        Assert.That(checkpoint.Resume, Is.Null);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>The trainer with the triplet loss (with and without batch-hard mining) and with dropout, on <see cref="ReferenceBackend"/>.</summary>
public class TrainerTripletAndDropoutTests
{
    // The same small synthetic sets and configuration as TrainerTests.
    static ImageSet Train => TrainerTests.Train;
    static ImageSet Validation => TrainerTests.Validation;
    static TrainingConfig Small => TrainerTests.Small;

    static Trainer Create(TrainingConfig config, ulong seed = 11) => TrainerTests.Create(config, seed);

    [Test]
    public void TripletTrainingLearnsPairDistances([Values] TripletMining mining)
    {
        var config = Small with { Network = new NetworkConfig([196, 16, 4], reluOnOutput: false), Loss = LossKind.Triplet, TripletMargin = 1.0, Mining = mining };
        using var trainer = Create(config);
        var pairs = BalancedPairSet.Create(Validation, new Rng(5), 10, 2);
        double before = Roc.Auc(trainer.Evaluator.Distances(Validation, pairs), pairs.Labels);
        var history = trainer.Train();
        double after = Roc.Auc(trainer.Evaluator.Distances(Validation, pairs), pairs.Labels);
        TestContext.Out.WriteLine($"{mining}: AUC {before:F4} -> {after:F4}, loss {history[0].MeanLoss:F4} -> {history[^1].MeanLoss:F4}");
        Assert.That(after, Is.GreaterThan(Math.Max(before + 0.15, 0.8)));
        Assert.That(history[^1].ValidationAuc, Is.GreaterThan(0.8), "the epoch reports are still on pairs");
        if (mining == TripletMining.None) Assert.That(history[^1].MeanLoss, Is.LessThan(history[0].MeanLoss));
    }

    [Test]
    public void TripletStepMatchesTheReferenceLossOfTheEmbeddings()
    {
        // One step's loss is the mean hinge over the triplets' embeddings, computed here independently from the network's output.
        var config = Small with { Loss = LossKind.Triplet, TripletMargin = 2.0 };
        using var trainer = Create(config);
        int[] a = [0, 1, 2], p = [10, 11, 12], n = [3, 4, 5]; // image i has digit i % 10
        double loss = trainer.ComputeTripletGradients(a, p, n);
        var emb = trainer.Evaluator.Embed(Train.Subset([.. a, .. p, .. n]).Pixels, 9);
        int dim = config.Network.OutputWidth;
        double Dist(int x, int y) => Math.Sqrt(Math.Max(Enumerable.Range(0, dim).Sum(k => Math.Pow(emb[x * dim + k] - emb[y * dim + k], 2)), 1e-7));
        double expected = Enumerable.Range(0, 3).Average(t => Math.Max(Dist(t, 3 + t) - Dist(t, 6 + t) + 2.0, 0));
        Assert.That(loss, Is.EqualTo(expected).Within(1e-5 + 1e-5 * expected));
        Assert.That(trainer.Network.DownloadGradients().Any(g => g != 0), Is.True);
        Assert.That(() => trainer.ComputeGradients([0], [1], [0]), Throws.InvalidOperationException);
    }

    [Test]
    public void TripletResumeThroughACheckpointMatchesAnUninterruptedRun([Values] TripletMining mining)
    {
        var config = Small with { Loss = LossKind.Triplet, Mining = mining, Dropout = 0.2, Epochs = 2, PairsPerEpoch = 96 };
        float[] straight;
        using (var t = Create(config))
        {
            t.Train();
            straight = t.Network.DownloadParameters();
        }
        string dir = Directory.CreateTempSubdirectory("gpusiamese-triplet-resume-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.ckpt");
            using (var first = Create(config))
            using (var cts = new CancellationTokenSource())
            {
                var progress = new SynchronousProgress<StepProgress>(p => { if (p.Epoch == 2 && p.StepInEpoch == 3) cts.Cancel(); });
                Assert.That(() => first.Train(progress, null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
                CheckpointFile.Save(path, first.CreateCheckpoint());
            }
            var saved = CheckpointFile.Load(path);
            Assert.That(saved.Training, Is.EqualTo(config), "triplet margin, mining and dropout survive the file");
            using var second = Create(saved.Training);
            second.Restore(saved.Parameters, saved.Resume!, saved.Threshold);
            second.Train();
            Assert.That(second.Network.DownloadParameters(), Is.EqualTo(straight));

            // A pair run's sampler state does not restore a triplet run.
            using var pairRun = Create(Small with { Epochs = 2, PairsPerEpoch = 96 });
            var pairState = pairRun.CaptureState();
            using var tripletRun = Create(config);
            Assert.That(() => tripletRun.Restore(pairRun.Network.DownloadParameters(), pairState), Throws.ArgumentException.With.Message.Contains("sampler"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void DropoutStillLearnsAndChangesTheRun()
    {
        float[] plain;
        using (var t = Create(Small with { Epochs = 1 }))
        {
            t.Train();
            plain = t.Network.DownloadParameters();
        }
        using var dropped = Create(Small with { Dropout = 0.3 });
        var pairs = BalancedPairSet.Create(Validation, new Rng(5), 10, 2);
        double before = Roc.Auc(dropped.Evaluator.Distances(Validation, pairs), pairs.Labels);
        var history = dropped.Train();
        double after = Roc.Auc(dropped.Evaluator.Distances(Validation, pairs), pairs.Labels);
        TestContext.Out.WriteLine($"dropout 0.3: AUC {before:F4} -> {after:F4}, loss {history[0].MeanLoss:F4} -> {history[^1].MeanLoss:F4}");
        Assert.That(after, Is.GreaterThan(Math.Max(before + 0.15, 0.8)));
        using var oneEpoch = Create(Small with { Epochs = 1, Dropout = 0.3 });
        oneEpoch.Train();
        Assert.That(oneEpoch.Network.DownloadParameters(), Is.Not.EqualTo(plain), "the masks changed the updates");
    }

    [Test]
    public void ZeroDropoutIsBitIdenticalToNoDropoutOnTheSimdBackend()
    {
        // The default is 0; an explicit 0 must train exactly the same parameters, on a fast backend too.
        var config = Small with { Epochs = 1 };
        float[] Run(TrainingConfig c)
        {
            using var t = new Trainer(new SimdBackend(threads: 1), c, Train, Validation, new Rng(4));
            t.Train();
            return t.Network.DownloadParameters();
        }
        var none = Run(config);
        Assert.That(Run(config with { Dropout = 0.0 }), Is.EqualTo(none));
        Assert.That(Run(config with { Dropout = 0.1 }), Is.Not.EqualTo(none));
    }

    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
