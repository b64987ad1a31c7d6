using System.Diagnostics;
using GpuSiamese.Host;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Tests.Host;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// The real program as a child process: Ctrl+C (SIGINT) during training exits 130 with a checkpoint that resumes
/// to exactly the uninterrupted result; SIGKILL inside checkpoint writes never leaves a corrupt checkpoint behind.
/// Neither depends on how fast the machine is: the child is held mid-training (by its own unread output, or frozen
/// with SIGSTOP) whenever the test acts on it.
/// </summary>
[NonParallelizable]
public class InterruptionTests : SmallRunFixture
{
    /// <summary>Waits until <paramref name="runs"/> holds a run folder with model.ckpt (the first epoch's end).</summary>
    static string WaitForCheckpoint(string runs, HostProcess child)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < HostProcess.HangGuard)
        {
            if (Directory.Exists(runs))
                foreach (string folder in Directory.GetDirectories(runs))
                    if (File.Exists(Path.Combine(folder, "model.ckpt"))) return Path.Combine(folder, "model.ckpt");
            if (child.HasExited) Assert.Fail($"the child ended before its first checkpoint: {child.WaitForExit()}");
            Thread.Sleep(5);
        }
        Assert.Fail($"no checkpoint under {runs} within the hang guard");
        return "";
    }

    [Test]
    public void Ctrl_C_exits_130_with_a_checkpoint_that_resumes_to_the_uninterrupted_result()
    {
        // Held mid-training by construction: the child prints 4 progress lines an epoch (three quarters and the end),
        // each holding at least "epoch e/1000  " and "loss 0.0000" (25 bytes). The test stops reading its stdout
        // after epoch 1's line, so the child gets at most a pipe (plus the reader's buffer) further and then waits,
        // far short of epoch 1000. The test presses Ctrl+C, waits until the child says it has seen it (the token is
        // set before that line is written), and only then reads on: the child stops at its next step.
        const int Epochs = 1000, StepsPerEpoch = 4, MinBytesPerEpoch = 4 * 25, ReaderBuffer = 8192;
        string[] ChildArgs(string runs) => SmallRun.TrainArgs(Data, runs, epochs: Epochs, pairsPerEpoch: 16 * StepsPerEpoch);
        string childRuns = Dir.File("runs-child");
        string checkpoint;
        using (var child = HostProcess.StartHeld(Dir.Path, [.. SmallRun.TrainArgs(Data, childRuns, epochs: Epochs,
                   pairsPerEpoch: 16 * StepsPerEpoch, quiet: false)]))
        {
            int capacity = child.OutputPipeCapacity();
            Assert.That((Epochs - 1) * MinBytesPerEpoch, Is.GreaterThan(capacity + ReaderBuffer),
                "the output after epoch 1 outgrows the pipe, so the child cannot finish while the test does not read");
            child.ReadOutputLine(line => line.StartsWith($"epoch 1/{Epochs} ") && line.Contains("val acc"));
            child.Interrupt();
            child.WaitForErrorLine(line => line == Cli.InterruptSeen);
            var (code, output, error) = child.WaitForExit();
            Assert.That(code, Is.EqualTo(130), error);
            Assert.That(error.Split('\n'), Is.EqualTo(new[] { Cli.InterruptSeen, "interrupted" }));
            Assert.That(output, Does.Contain("checkpoint written to"));
            checkpoint = Path.Combine(SmallRun.OnlyRunFolder(childRuns), "model.ckpt");
        }
        var saved = CheckpointFile.Load(checkpoint);
        Assert.That(saved.Resume!.Step, Is.InRange(StepsPerEpoch, Epochs * StepsPerEpoch - 1), "stopped after epoch 1 and before the end");
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(checkpoint)!).Select(Path.GetFileName), Is.EqualTo(new[] { "model.ckpt" }),
            "an interrupted run leaves its checkpoint and nothing half-written");

        var resumed = HostRun.Of(new ModelJobs(), [.. ChildArgs(Dir.File("runs-resumed")), "--resume", checkpoint]);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Error);
        var whole = HostRun.Of(new ModelJobs(), ChildArgs(Dir.File("runs-whole")));
        Assert.That(whole.ExitCode, Is.EqualTo(0), whole.Error);
        RunResult.Read(SmallRun.OnlyRunFolder(Dir.File("runs-resumed")))
            .AssertIdenticalTo(RunResult.Read(SmallRun.OnlyRunFolder(Dir.File("runs-whole"))), $"interrupted at step {saved.Resume.Step} in a child process, resumed");
    }

    [Test]
    public void A_kill_during_checkpoint_writes_leaves_a_whole_checkpoint()
    {
        // One step per epoch of the default 196-200-10 network: the child spends most of its time writing its
        // 0.7 MB checkpoint (write, fsync, rename). The test freezes the child (SIGSTOP, every thread stopped) after
        // a seeded random pause; if a temporary checkpoint file is there, the child is inside a write, and it is
        // killed frozen, so the kill lands inside that write by construction. Otherwise it runs on and is frozen
        // again. Two children at a time.
        const int Kills = 16, Lanes = 2;
        var outcomes = new (long Step, int Freezes)[Kills];
        Parallel.For(0, Lanes, new ParallelOptions { MaxDegreeOfParallelism = Lanes }, lane =>
        {
            var random = new Random(20261123 + lane);
            for (int k = lane; k < Kills; k += Lanes)
            {
                string runs = Dir.File($"kill-{k}");
                string[] args = SmallRun.TrainArgs(Data, runs, epochs: 100_000, pairsPerEpoch: 16, layers: "196,200,10");
                using var child = HostProcess.Start(Dir.Path, args);
                string checkpoint = WaitForCheckpoint(runs, child);
                string folder = Path.GetDirectoryName(checkpoint)!;
                int freezes = 0;
                while (true)
                {
                    Thread.Sleep(random.Next(0, 10));
                    child.Freeze();
                    freezes++;
                    if (Directory.GetFiles(folder, ".model.ckpt.*.tmp").Length > 0) break;
                    Assert.That(child.HasExited, Is.False, $"kill {k}: the child ended: {(child.HasExited ? child.WaitForExit() : default)}");
                    child.Continue();
                }
                child.KillHard();
                child.WaitForExit();
                Assert.That(Directory.GetFiles(folder, ".model.ckpt.*.tmp"), Is.Not.Empty, $"kill {k}: killed inside a write");
                var loaded = CheckpointFile.Load(checkpoint);
                Assert.That(Directory.GetFiles(folder, ".model.ckpt.*.tmp"), Is.Empty, $"kill {k}: the load removed the dead writer's temporary");
                Assert.That(loaded.Resume!.Step, Is.GreaterThanOrEqualTo(1), $"kill {k}");
                Assert.That(loaded.Parameters.All(float.IsFinite), Is.True, $"kill {k}");
                outcomes[k] = (loaded.Resume.Step, freezes);
            }
        });
        TestContext.Out.WriteLine($"{Kills} kills inside checkpoint writes after {string.Join(",", outcomes.Select(o => o.Freezes))} freezes; " +
            $"checkpoints found at steps {string.Join(",", outcomes.Select(o => o.Step))}");
    }
}
