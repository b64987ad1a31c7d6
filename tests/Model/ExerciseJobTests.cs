using System.Diagnostics;
using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model;

/// <summary>The exercise's job end to end on real MNIST with the SIMD backend: its bar is AUC &gt; 0.97.</summary>
public class ExerciseJobTests
{
    [Test]
    public void DefaultConfigurationBeatsTheExercisesAucOnTheBalancedTestSet()
    {
        MnistData data;
        try
        {
            data = Mnist.Load(null, TestContext.Out.WriteLine);
        }
        catch (MnistUnavailableException e)
        {
            Assert.Ignore($"MNIST is not available here: {e.Message}");
            return;
        }
        var config = new TrainingConfig();
        var rng = new Rng(config.Seed);
        var (train, validation) = TrainValidationSplit.Create(data.Train, config.ValidationFraction, rng.Fork());
        using var backend = new SimdBackend();
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(backend, config, train, validation, rng.Fork());
        var history = trainer.Train();
        var test = BalancedPairSet.Create(data.Test, rng.Fork());
        var metrics = Roc.Analyze(trainer.Evaluator.Distances(data.Test, test), test.Labels);
        TestContext.Out.WriteLine($"{backend.Name}: {clock.Elapsed.TotalSeconds:F1} s, loss {history[0].MeanLoss:F4} -> {history[^1].MeanLoss:F4}, " +
            $"test AUC {metrics.Auc:F4}, Youden accuracy {metrics.YoudenAccuracy:P2}, EER {metrics.EqualErrorRate:P2}");
        Assert.That(test.Count, Is.EqualTo(17_000));
        Assert.That(history, Has.Count.EqualTo(5));
        Assert.That(metrics.Auc, Is.GreaterThan(0.97));
        Assert.That(history[^1].ValidationAccuracy, Is.GreaterThan(0.9));
    }
}
