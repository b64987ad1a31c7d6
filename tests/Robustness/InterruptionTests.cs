using System.Diagnostics;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Tests.Host;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// The real program as a child process: Ctrl+C (SIGINT) during training exits 130 with a checkpoint that resumes
/// to exactly the uninterrupted result; SIGKILL at random moments of checkpoint writes never leaves a corrupt
/// checkpoint behind.
/// </summary>
[NonParallelizable]
public class InterruptionTests : SmallRunFixture
{
    /// <summary>Polls until <paramref name="runs"/> holds a run folder with model.ckpt (the first epoch's end).</summary>
    static string WaitForCheckpoint(string runs, HostProcess child, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Directory.Exists(runs))
                foreach (string folder in Directory.GetDirectories(runs))
                    if (File.Exists(Path.Combine(folder, "model.ckpt"))) return Path.Combine(folder, "model.ckpt");
            if (child.HasExited) Assert.Fail($"the child ended before its first checkpoint: {child.WaitForExit(TimeSpan.Zero)}");
            Thread.Sleep(5);
        }
        Assert.Fail($"no checkpoint under {runs} after {timeout.TotalSeconds} s");
        return "";
    }

    [Test]
    public void Ctrl_C_exits_130_with_a_checkpoint_that_resumes_to_the_uninterrupted_result()
    {
        // 150 epochs of 60 steps: about a second of training here, long enough to be interrupted after epoch 1.
        string[] args = SmallRun.TrainArgs(Data, Dir.File("runs-child"), epochs: 150, pairsPerEpoch: 960);
        string checkpoint;
        using (var child = HostProcess.Start(Dir.Path, args))
        {
            checkpoint = WaitForCheckpoint(Dir.File("runs-child"), child, TimeSpan.FromSeconds(60));
            child.Interrupt();
            var (code, _, error) = child.WaitForExit(TimeSpan.FromSeconds(60));
            Assert.That(code, Is.EqualTo(130), error);
            Assert.That(error.Trim(), Is.EqualTo("interrupted"));
        }
        var saved = CheckpointFile.Load(checkpoint);
        Assert.That(saved.Resume!.Step, Is.InRange(60, 150 * 60 - 1), "stopped after epoch 1 and before the end");
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(checkpoint)!).Select(Path.GetFileName), Is.EqualTo(new[] { "model.ckpt" }),
            "an interrupted run leaves its checkpoint and nothing half-written");

        var resumed = HostRun.Of(new ModelJobs(), [.. SmallRun.TrainArgs(Data, Dir.File("runs-resumed"), epochs: 150, pairsPerEpoch: 960),
            "--resume", checkpoint]);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Error);
        var whole = HostRun.Of(new ModelJobs(), SmallRun.TrainArgs(Data, Dir.File("runs-whole"), epochs: 150, pairsPerEpoch: 960));
        Assert.That(whole.ExitCode, Is.EqualTo(0), whole.Error);
        RunResult.Read(SmallRun.OnlyRunFolder(Dir.File("runs-resumed")))
            .AssertIdenticalTo(RunResult.Read(SmallRun.OnlyRunFolder(Dir.File("runs-whole"))), $"interrupted at step {saved.Resume.Step} in a child process, resumed");
    }

    [Test]
    public void A_kill_during_checkpoint_writes_leaves_a_whole_checkpoint()
    {
        // One step per epoch of the default 196-200-10 network: the child spends most of its time writing its
        // 0.7 MB checkpoint (write, fsync, rename), so random kills land inside writes. Two children at a time.
        const int Kills = 32, Lanes = 2;
        var random = new Random(20261123);
        int[] delays = Enumerable.Range(0, Kills).Select(_ => random.Next(0, 40)).ToArray();
        var outcomes = new (long Step, bool TemporaryLeft)[Kills];
        Parallel.For(0, Lanes, new ParallelOptions { MaxDegreeOfParallelism = Lanes }, lane =>
        {
            for (int k = lane; k < Kills; k += Lanes)
            {
                string runs = Dir.File($"kill-{k}");
                string[] args = SmallRun.TrainArgs(Data, runs, epochs: 100_000, pairsPerEpoch: 16, layers: "196,200,10");
                using var child = HostProcess.Start(Dir.Path, args);
                string checkpoint = WaitForCheckpoint(runs, child, TimeSpan.FromSeconds(60));
                Thread.Sleep(delays[k]);
                child.KillHard();
                child.WaitForExit(TimeSpan.FromSeconds(30));
                var loaded = CheckpointFile.Load(checkpoint);
                Assert.That(loaded.Resume!.Step, Is.GreaterThanOrEqualTo(1), $"kill {k}");
                Assert.That(loaded.Parameters.All(float.IsFinite), Is.True, $"kill {k}");
                bool temporaryLeft = Directory.GetFiles(Path.GetDirectoryName(checkpoint)!, ".model.ckpt.*.tmp").Length > 0;
                outcomes[k] = (loaded.Resume.Step, temporaryLeft);
            }
        });
        int midWrite = outcomes.Count(o => o.TemporaryLeft);
        TestContext.Out.WriteLine($"{Kills} kills after {string.Join(",", delays)} ms; {midWrite} landed inside a write " +
            $"(temporary file left); checkpoints found at steps {string.Join(",", outcomes.Select(o => o.Step))}");
        Assert.That(midWrite, Is.GreaterThan(0), "some kills hit a checkpoint write, so the test tests something");
    }
}
