using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Tests.Host;
using TempFolder = GpuSiamese.Tests.Host.TempFolder;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// Through the command line with the real engine, per accelerator (SIMD and ILGPU's CPU accelerator; PoCL passes
/// the same fixture too, but at about 6 s a run it is left out of CI's budget): the same seed twice gives bit-identical
/// weights and identical metrics; a run interrupted (mid-epoch, or right after epoch 1) and continued with
/// --resume gives exactly what the uninterrupted run gives.
/// </summary>
[TestFixture("simd")]
[TestFixture("cpu")]
public class ResumeAndDeterminismTests(string accelerator) : SmallRunFixture
{
    // 2 epochs of 6 steps; the host sees 5 step reports and one epoch report per epoch.
    const int Epochs = 2, PairsPerEpoch = 96;

    RunResult _uninterrupted = null!;

    [OneTimeSetUp]
    public void TrainUninterrupted()
    {
        _uninterrupted = Train(new ModelJobs(), Dir.File("uninterrupted"), 0, out _);
    }

    RunResult Train(IModelJobs jobs, string runs, int expectedExit, out string runFolder, params string[] more)
    {
        var run = HostRun.Of(jobs, [.. SmallRun.TrainArgs(Data, runs, accelerator, Epochs, PairsPerEpoch), .. more]);
        Assert.That(run.ExitCode, Is.EqualTo(expectedExit), run.Error);
        runFolder = SmallRun.OnlyRunFolder(runs);
        return expectedExit == 0 ? RunResult.Read(runFolder) : null!;
    }

    [Test]
    public void The_same_seed_gives_identical_weights_and_metrics()
    {
        var again = Train(new ModelJobs(), Dir.File("again"), 0, out _);
        again.AssertIdenticalTo(_uninterrupted, $"{accelerator}, seed 5 twice");

        var otherSeed = HostRun.Of(new ModelJobs(), [.. SmallRun.TrainArgs(Data, Dir.File("other"), accelerator, Epochs, PairsPerEpoch, seed: 6)]);
        Assert.That(otherSeed.ExitCode, Is.EqualTo(0), otherSeed.Error);
        Assert.That(RunResult.Read(SmallRun.OnlyRunFolder(Dir.File("other"))).Parameters, Is.Not.EqualTo(_uninterrupted.Parameters),
            "another seed gives other weights, so the comparison can fail");
    }

    [TestCase(3, 3, TestName = "{m}(mid-epoch 1, after step 3)")]
    [TestCase(6, 6, TestName = "{m}(right after epoch 1)")]
    [TestCase(9, 9, TestName = "{m}(mid-epoch 2, after step 9)")]
    public void An_interrupted_run_resumed_equals_the_uninterrupted_run(int afterReports, long step)
    {
        using var folder = new TempFolder();
        Train(new InterruptingJobs(afterReports), folder.File("first"), 130, out string first);
        string checkpoint = Path.Combine(first, "model.ckpt");
        var saved = CheckpointFile.Load(checkpoint);
        Assert.That(saved.Resume!.Step, Is.EqualTo(step), "the step the interruption let finish");
        Assert.That(Directory.GetFiles(first).Select(Path.GetFileName), Is.EqualTo(new[] { "model.ckpt" }));

        var resumed = Train(new ModelJobs(), folder.File("resumed"), 0, out _, "--resume", checkpoint);
        resumed.AssertIdenticalTo(_uninterrupted, $"{accelerator}, interrupted after step {step} and resumed");
    }
}
