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
        var config = new TrainingConfig();
        RunData run;
        try
        {
            // The product's own pipeline: the same split, test pairs and generators as the main job.
            run = RunData.Load(null, config, TestContext.Out.WriteLine);
        }
        catch (MnistUnavailableException e)
        {
            Assert.Ignore($"MNIST is not available here: {e.Message}");
            return;
        }
        using var backend = new SimdBackend();
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(backend, config, run.Train, run.Validation, run.TrainerRng);
        var history = trainer.Train();
        var test = run.TestPairs;
        var metrics = Roc.Analyze(trainer.Evaluator.Distances(run.Test, test), test.Labels);
        TestContext.Out.WriteLine($"{backend.Name}: {clock.Elapsed.TotalSeconds:F1} s, loss {history[0].MeanLoss:F4} -> {history[^1].MeanLoss:F4}, " +
            $"test AUC {metrics.Auc:F4}, Youden accuracy {metrics.YoudenAccuracy:P2}, EER {metrics.EqualErrorRate:P2}");
        Assert.That(test.Count, Is.EqualTo(17_000));
        Assert.That(history, Has.Count.EqualTo(5));
        Assert.That(metrics.Auc, Is.GreaterThan(0.97));
        Assert.That(history[^1].ValidationAccuracy, Is.GreaterThan(0.9));
    }
}
