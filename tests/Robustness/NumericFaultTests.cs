using GpuSiamese.Model;
using GpuSiamese.Tests.Host;
using TempFolder = GpuSiamese.Tests.Host.TempFolder;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// Numeric faults through the real program: learning rate 1e6 makes the loss or a parameter non-finite; the run
/// must stop naming epoch and step (exit 3), keep the last epoch's checkpoint loadable and say truthfully what it
/// kept; --clip-norm must keep the same run finite.
/// </summary>
public class NumericFaultTests : SmallRunFixture
{
    static string[] With(string[] args, params string[] more)
    {
        var list = args.ToList();
        for (int i = 0; i < more.Length; i += 2)
        {
            int at = list.IndexOf(more[i]);
            if (at >= 0) list.RemoveRange(at, 2);
            list.Add(more[i]);
            list.Add(more[i + 1]);
        }
        return [.. list];
    }

    [Test]
    public void Divergence_in_the_first_epoch_says_no_checkpoint_exists_and_leaves_no_run_folder()
    {
        using var folder = new TempFolder();
        string runs = folder.File("runs");
        var run = SmallRun.Train(With(SmallRun.TrainArgs(Data, runs, epochs: 3), "--optimizer", "sgd", "--lr", "1e6"));
        TestContext.Out.WriteLine(run.Error);
        Assert.That(run.ExitCode, Is.EqualTo(3), run.Error);
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.Match(@"^error: training stopped at epoch 1, step \d+ \(global step \d+\): .*not? .*finite|^error: training stopped at epoch 1, step \d+ \(global step \d+\): the loss is (NaN|∞|-∞|Infinity)"));
        Assert.That(run.ErrorLines[0], Does.Contain("no checkpoint was written, as no epoch of this run had finished")
            .And.Not.Contain("is kept"));
        Assert.That(Directory.Exists(runs), Is.False, "nothing was written, so no run folder is left");
    }

    [Test]
    public void Divergence_in_a_later_epoch_keeps_the_previous_epochs_checkpoint_loadable()
    {
        // One step per epoch: SGD's first step with lr 1e6 leaves huge but finite parameters (epoch 1 ends with a
        // checkpoint); a following step's loss is no longer finite.
        using var folder = new TempFolder();
        string runs = folder.File("runs");
        var run = SmallRun.Train(With(SmallRun.TrainArgs(Data, runs, epochs: 6, pairsPerEpoch: 16), "--optimizer", "sgd", "--lr", "1e6"));
        TestContext.Out.WriteLine(run.Error);
        Assert.That(run.ExitCode, Is.EqualTo(3), run.Error);
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        var match = System.Text.RegularExpressions.Regex.Match(run.ErrorLines[0],
            @"^error: training stopped at epoch (\d+), step 1 \(global step (\d+)\): .*; the checkpoint of epoch (\d+) is kept in (.*model\.ckpt)\. Try a lower --lr or --clip-norm\.$");
        Assert.That(match.Success, Is.True, run.ErrorLines[0]);
        int epoch = int.Parse(match.Groups[1].Value), kept = int.Parse(match.Groups[3].Value);
        Assert.That(epoch, Is.GreaterThan(1));
        Assert.That(kept, Is.EqualTo(epoch - 1));
        string checkpoint = match.Groups[4].Value;
        Assert.That(checkpoint, Is.EqualTo(Path.Combine(SmallRun.OnlyRunFolder(runs), "model.ckpt")));

        var loaded = CheckpointFile.Load(checkpoint);
        Assert.That(loaded.Resume!.Step, Is.EqualTo(kept), "the checkpoint is the end of the last finished epoch");
        Assert.That(loaded.Parameters.All(float.IsFinite), Is.True);
        Assert.That(Directory.GetFiles(SmallRun.OnlyRunFolder(runs)).Select(Path.GetFileName), Is.EqualTo(new[] { "model.ckpt" }),
            "no metrics or plots of a run that did not finish, and no temporary file");
    }

    [Test]
    public void Clip_norm_prevents_the_divergence_that_happens_without_it()
    {
        // SGD without momentum moves θ by lr·g: with lr 1e6 that diverges; clipping ‖g‖ to 1e-6 bounds each update to 1.
        using var folder = new TempFolder();
        string[] sgd = With(SmallRun.TrainArgs(Data, folder.File("runs")), "--optimizer", "sgd", "--momentum", "0", "--lr", "1e6");

        var unclipped = SmallRun.Train(sgd);
        Assert.That(unclipped.ExitCode, Is.EqualTo(3), unclipped.Error);
        Assert.That(unclipped.Error, Does.Contain("training stopped at epoch"));

        var clipped = SmallRun.Train([.. sgd, "--clip-norm", "1e-6"]);
        Assert.That(clipped.ExitCode, Is.EqualTo(0), clipped.Error);
        var model = CheckpointFile.Load(Path.Combine(SmallRun.OnlyRunFolder(folder.File("runs")), "model.ckpt"));
        Assert.That(model.Parameters.All(float.IsFinite), Is.True);
        // 12 updates of norm ≤ 1 from an initialisation of norm well below 100.
        double norm = Math.Sqrt(model.Parameters.Sum(p => (double)p * p));
        Assert.That(norm, Is.LessThan(100));
    }
}
