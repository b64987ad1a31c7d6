using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;
using GpuSiamese.Host.Progress;
using GpuSiamese.Tests.Host;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// Faults of the environment a user can cause or fix (a full disk, a folder deleted underneath): one stderr line naming
/// the path, the cause and what was kept, exit code 4, no stack trace. The full disk is real: a small tmpfs in a private
/// mount namespace (<see cref="FullDisk"/>).
/// </summary>
[NonParallelizable]
public class EnvironmentFaultTests : SmallRunFixture
{
    const int EnvironmentFault = 4;

    static void OneLine(string error, string expectedStart, string expectedPart)
    {
        TestContext.Out.WriteLine(error.TrimEnd());
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "exactly one line on stderr");
        Assert.That(lines[0], Does.StartWith(expectedStart).And.Contain(expectedPart));
        Assert.That(error, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace");
    }

    [Test]
    public void A_disk_that_fills_up_in_epoch_2_ends_in_one_line_and_keeps_epoch_1s_checkpoint()
    {
        FullDisk.RequireMount();
        // The tmpfs holds one checkpoint and half another: epoch 1's is written (temporary file, then renamed); epoch 2's
        // temporary file runs out of space beside it.
        string[] Args(string runs, int epochs) => SmallRun.TrainArgs(Data, runs, epochs: epochs, pairsPerEpoch: 64);
        var measured = SmallRun.Train(Args(Dir.File("measure"), 1));
        Assert.That(measured.ExitCode, Is.EqualTo(0), measured.Error);
        long size = new FileInfo(Path.Combine(SmallRun.OnlyRunFolder(Dir.File("measure")), "model.ckpt")).Length;
        long pages = (size + 4095) / 4096;
        Assert.That(pages, Is.GreaterThanOrEqualTo(4), "a checkpoint spans pages enough for half of one to matter");
        string mount = Dir.File("full-train"), copy = Dir.File("full-train-copy");
        Directory.CreateDirectory(mount);

        var (code, _, error) = FullDisk.Run(Dir.Path, mount, (pages + pages / 2) * 4096, fill: false, copy, Args(Path.Combine(mount, "runs"), 3));

        Assert.That(code, Is.EqualTo(EnvironmentFault), error);
        OneLine(error, $"error: cannot write '{mount}/runs/", "/model.ckpt': no space left on device; the checkpoint of epoch 1 is kept (continue with --resume ");
        string folder = SmallRun.OnlyRunFolder(Path.Combine(copy, "runs"));
        Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EqualTo(new[] { "model.ckpt" }), "no temporary file left");
        Assert.That(CheckpointFile.Load(Path.Combine(folder, "model.ckpt")).Resume!.Step, Is.EqualTo(4), "epoch 1's checkpoint, whole");
    }

    [TestCase("eval --distances", "d.csv")]
    [TestCase("eval --plots", "plots/roc.png")]
    [TestCase("embed --out", "e.npy")]
    public void Outputs_on_a_full_disk_end_in_one_line(string command, string written)
    {
        FullDisk.RequireMount();
        string model = SmallRun.WriteCheckpoint(Dir.File("scoring.ckpt"));
        string image = Dir.File("seven.png");
        using (var seven = GpuSiamese.Tests.Data.DrawnDigits.Seven(56, 56, 12, 8, 32, SkiaSharp.SKColors.Black, SkiaSharp.SKColors.White))
            File.WriteAllBytes(image, GpuSiamese.Tests.Data.DrawnDigits.Encode(seven, SkiaSharp.SKEncodedImageFormat.Png));
        string mount = Dir.File($"full-{written.Replace('/', '-')}"), copy = mount + "-copy";
        Directory.CreateDirectory(mount);
        string target = Path.Combine(mount, written);
        string[] args = command switch
        {
            "eval --distances" => ["eval", "--model", model, "--data", Data, "--accelerator", "simd", "--oneshot-trials", "0",
                "--gallery-per-digit", "0", "--positives-per-digit", "5", "--negatives-per-pair", "2", "--distances", target],
            "eval --plots" => ["eval", "--model", model, "--data", Data, "--accelerator", "simd", "--oneshot-trials", "0",
                "--gallery-per-digit", "0", "--positives-per-digit", "5", "--negatives-per-pair", "2", "--plots", Path.GetDirectoryName(target)!],
            _ => ["embed", "--model", model, image, image, "--out", target, "--accelerator", "simd"],
        };

        var (code, _, error) = FullDisk.Run(Dir.Path, mount, 64 * 1024, fill: true, copy, args);

        Assert.That(code, Is.EqualTo(EnvironmentFault), error);
        OneLine(error, $"error: cannot write '{target}': no space left on device", "no partial file is left");
        Assert.That(Directory.GetFiles(copy, "*", SearchOption.AllDirectories), Is.Empty, "nothing half-written");
    }

    [Test]
    public void A_run_folder_deleted_during_training_ends_in_one_line()
    {
        // The folder is deleted once epoch 2 has begun (epoch 1's checkpoint was written into it).
        var run = HostRun.Of(new FolderDeletingJobs(atEpoch: 2), SmallRun.TrainArgs(Data, Dir.File("vanishing"), epochs: 3, pairsPerEpoch: 64));
        Assert.That(run.ExitCode, Is.EqualTo(EnvironmentFault), run.Error);
        OneLine(run.Error, $"error: cannot write '{Dir.File("vanishing")}/",
            "/model.ckpt': its folder no longer exists; the checkpoint of epoch 1 is gone with its folder");
    }

    /// <summary>The real engine; the run folder is deleted at the first progress report of epoch <paramref name="atEpoch"/>.</summary>
    sealed class FolderDeletingJobs(int atEpoch) : IModelJobs
    {
        readonly ModelJobs _engine = new();

        public TrainingOutcome Train(TrainOptions options, string checkpointPath, Action<string> log,
            IProgress<EpochProgress> progress, CancellationToken cancel)
        {
            bool deleted = false;
            var deleting = new Sink(p =>
            {
                progress.Report(p);
                if (p.Epoch == atEpoch && !deleted)
                {
                    deleted = true;
                    Directory.Delete(Path.GetDirectoryName(checkpointPath)!, recursive: true);
                }
            });
            return _engine.Train(options, checkpointPath, log, deleting, cancel);
        }

        public EvaluationOutcome Evaluate(EvalOptions options, Action<string> log, CancellationToken cancel) => _engine.Evaluate(options, log, cancel);
        public ComparisonOutcome Compare(CompareOptions options) => _engine.Compare(options);
        public EmbeddingOutcome Embed(EmbedOptions options, Action<string> log, CancellationToken cancel) => _engine.Embed(options, log, cancel);
        public IReadOnlyList<DeviceDescription> ListDevices() => _engine.ListDevices();

        sealed class Sink(Action<EpochProgress> report) : IProgress<EpochProgress>
        {
            public void Report(EpochProgress value) => report(value);
        }
    }
}
