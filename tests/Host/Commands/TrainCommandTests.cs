using System.Text.Json;

namespace GpuSiamese.Tests.Host.Commands;

public class TrainCommandTests
{
    [Test]
    public void A_run_writes_its_folder_with_checkpoint_metrics_and_plots()
    {
        using var runs = new TempFolder();
        var run = HostRun.Of(new FakeModelJobs(), "train", "--runs", runs.Path, "--epochs", "3", "--seed", "42");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);

        string folder = Path.Combine(runs.Path, "20261123-040506-s42");
        Assert.That(Directory.Exists(folder), Is.True);
        Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EquivalentTo(new[]
            { "model.ckpt", "metrics.json", "roc.png", "training.png", "distances.png", "errors.png" }));

        Assert.That(run.Out, Does.Contain("AUC             0.8750"));
        Assert.That(run.Out, Does.Contain("test pairs      6 (3 same digit, 3 different)"));
        Assert.That(run.Out, Does.Contain("accelerator     fake accelerator"));
        Assert.That(run.Out, Does.Contain("run folder      " + folder));
        Assert.That(run.Out, Does.Contain("epoch 3/3  loss 0.3333  train acc 0.8900  val acc 0.8700"));
    }

    [Test]
    public void Metrics_json_holds_configuration_history_test_figures_timings_and_memory()
    {
        using var runs = new TempFolder();
        var run = HostRun.Of(new FakeModelJobs(), "--runs", runs.Path, "--epochs", "2", "--seed", "7",
            "--optimizer", "rmsprop", "--layers", "196,64,8", "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        string path = Path.Combine(runs.Path, "20261123-040506-s7", "metrics.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;

        Assert.That(root.GetProperty("seed").GetUInt64(), Is.EqualTo(7));
        Assert.That(root.GetProperty("accelerator").GetString(), Is.EqualTo("fake accelerator"));
        Assert.That(root.GetProperty("checkpoint").GetString(), Is.EqualTo("model.ckpt"));
        var config = root.GetProperty("configuration");
        Assert.That(config.GetProperty("optimizer").GetString(), Is.EqualTo("rmsprop"));
        Assert.That(config.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 196, 64, 8 }));
        Assert.That(config.GetProperty("learning_rate").GetDouble(), Is.EqualTo(0.01));
        Assert.That(config.GetProperty("pairs_per_epoch").GetInt32(), Is.EqualTo(60_000));
        Assert.That(config.GetProperty("relu_output").GetBoolean(), Is.True);

        var epochs = root.GetProperty("epochs").EnumerateArray().ToArray();
        Assert.That(epochs, Has.Length.EqualTo(2));
        Assert.That(epochs[1].GetProperty("epoch").GetInt32(), Is.EqualTo(2));
        Assert.That(epochs[1].GetProperty("mean_loss").GetDouble(), Is.EqualTo(0.5));
        Assert.That(epochs[1].GetProperty("validation_accuracy").GetDouble(), Is.EqualTo(0.84).Within(1e-12));
        Assert.That(epochs[1].GetProperty("validation_auc").GetDouble(), Is.EqualTo(0.92).Within(1e-12));
        Assert.That(epochs[1].GetProperty("threshold").GetDouble(), Is.EqualTo(1.0));
        Assert.That(epochs[1].GetProperty("learning_rate").GetDouble(), Is.EqualTo(0.01));

        var test = root.GetProperty("test");
        Assert.That(test.GetProperty("pairs").GetInt32(), Is.EqualTo(6));
        Assert.That(test.GetProperty("same_pairs").GetInt32(), Is.EqualTo(3));
        Assert.That(test.GetProperty("auc").GetDouble(), Is.EqualTo(0.875));
        Assert.That(test.GetProperty("youden_threshold").GetDouble(), Is.EqualTo(0.6));
        Assert.That(test.GetProperty("eer").GetDouble(), Is.EqualTo(1.0 / 3));
        Assert.That(test.GetProperty("accuracy_at_threshold").GetDouble(), Is.EqualTo(4.0 / 6));

        var timings = root.GetProperty("timings");
        Assert.That(timings.GetProperty("training_seconds").GetDouble(), Is.EqualTo(1.6).Within(1e-12));
        Assert.That(timings.GetProperty("total_seconds").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("peak_rss_bytes").GetInt64(), Is.GreaterThan(10L << 20), "a .NET process holds more than 10 MiB");
        Assert.That(run.Out, Does.Not.Contain("epoch 1/2"), "--quiet drops the progress");
    }

    [Test]
    public void Two_runs_in_one_second_get_two_folders()
    {
        using var runs = new TempFolder();
        Assert.That(HostRun.Of(new FakeModelJobs(), "--runs", runs.Path, "--quiet", "--epochs", "1").ExitCode, Is.EqualTo(0));
        Assert.That(HostRun.Of(new FakeModelJobs(), "--runs", runs.Path, "--quiet", "--epochs", "1").ExitCode, Is.EqualTo(0));
        Assert.That(Directory.GetDirectories(runs.Path).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "20261123-040506-s1", "20261123-040506-s1-2" }));
    }
}
