using System.Diagnostics;
using GpuSiamese.Model.Runs;
using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Runs;

/// <summary>The exercise's job end to end on real MNIST with the SIMD backend: its bar is AUC &gt; 0.97.</summary>
public class ExerciseJobTests
{
    [Test]
    public void DefaultConfigurationBeatsTheExercisesAucOnTheBalancedTestSet()
    {
        var config = new TrainingConfig();
        using var backend = new SimdBackend();
        // The product's own pipeline: the same split, test pairs, generators, training and scoring as the main job.
        using var run = new TrainingRun(new TrainingRequest(config));
        try
        {
            run.Prepare(backend, TestContext.Out.WriteLine);
        }
        catch (MnistUnavailableException e)
        {
            Assert.Ignore($"MNIST is not available here: {e.Message}");
            return;
        }
        var clock = Stopwatch.StartNew();
        run.Train(checkpointPath: null, TestContext.Out.WriteLine);
        var outcome = run.Evaluate(TestContext.Out.WriteLine);
        var (history, metrics) = (outcome.History, outcome.Metrics);
        TestContext.Out.WriteLine($"{backend.Name}: {clock.Elapsed.TotalSeconds:F1} s, loss {history[0].MeanLoss:F4} -> {history[^1].MeanLoss:F4}, " +
            $"test AUC {metrics.Auc:F4}, Youden accuracy {metrics.YoudenAccuracy:P2}, EER {metrics.Eer:P2}");
        Assert.That(metrics.Pairs, Is.EqualTo(17_000));
        Assert.That(history, Has.Count.EqualTo(5));
        Assert.That(metrics.Auc, Is.GreaterThan(0.97));
        Assert.That(history[^1].ValidationAccuracy, Is.GreaterThan(0.9));
    }
}
