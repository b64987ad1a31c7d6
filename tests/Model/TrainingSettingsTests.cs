using GpuSiamese.Model;
using GpuSiamese.Model.Settings;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// The one definition of each training option (TrainingConfig.Settings): every option reaches its own field and only
/// it, reads back what it writes (what checkpoints and presets rely on), and has a flag and key of its own.
/// </summary>
public class TrainingSettingsTests
{
    /// <summary>A value of each setting other than its default (and valid on its own), as the command line writes it.</summary>
    static readonly Dictionary<string, string> Other = new()
    {
        ["--loss"] = "margin", ["--q"] = "3", ["--margin"] = "2", ["--triplet-margin"] = "0.4", ["--mining"] = "batch-hard",
        ["--mining-warmup"] = "4", ["--far"] = "0.05", ["--dropout"] = "0.3", ["--optimizer"] = "sgd", ["--lr"] = "0.2", ["--beta1"] = "0.7",
        ["--beta2"] = "0.8", ["--adam-eps"] = "1e-6", ["--rho"] = "0.6", ["--momentum"] = "0.5", ["--nesterov"] = "true",
        ["--lr-schedule"] = "step", ["--lr-step-epochs"] = "3", ["--lr-gamma"] = "0.25", ["--cosine-final"] = "0.1",
        ["--monitor-pairs"] = "200", ["--augment"] = "true", ["--augment-flip"] = "true", ["--augment-shift"] = "3", ["--augment-rotation"] = "10",
        ["--augment-min-scale"] = "0.8", ["--augment-max-scale"] = "1.2", ["--patience"] = "2", ["--clip-norm"] = "5",
        ["--epochs"] = "7", ["--batch"] = "16", ["--pairs-per-epoch"] = "1600", ["--validation"] = "0.3", ["--eps"] = "1e-5",
        ["--weight-decay"] = "0.01", ["--dataset"] = "fashion-mnist", ["--input-size"] = "28", ["--channels"] = "3",
        ["--holdout-classes"] = "Bag,Sandal",
    };

    static IEnumerable<TestCaseData> Settings() =>
        TrainingConfig.Settings.Select(s => new TestCaseData(s).SetName($"setting {s.Flag}"));

    [TestCaseSource(nameof(Settings))]
    public void A_setting_changes_its_own_field_only_and_reads_back_what_it_writes(TrainingSetting setting)
    {
        var d = new TrainingConfig();
        Assert.That(Other, Does.ContainKey(setting.Flag), "the test knows a value for every setting");
        Assert.That(setting.TryApply(d, Other[setting.Flag], out var c), Is.True);
        Assert.That(setting.Format(c), Is.EqualTo(Other[setting.Flag]));
        Assert.That(setting.Format(c), Is.Not.EqualTo(setting.Format(d)), "the value differs from the default");
        foreach (var other in TrainingConfig.Settings.Where(o => o != setting))
            Assert.That(other.Format(c), Is.EqualTo(other.Format(d)), $"{setting.Flag} changed {other.Flag}");
        Assert.That(setting.TryApply(c, setting.Format(d), out var back), Is.True);
        Assert.That(back, Is.EqualTo(d), "writing the default back restores the default configuration");
    }

    [Test]
    public void Flags_and_keys_are_unique()
    {
        Assert.That(TrainingConfig.Settings.Select(s => s.Flag), Is.Unique);
        Assert.That(TrainingConfig.Settings.Select(s => s.Key), Is.Unique);
        Assert.That(TrainingConfig.Settings.Select(s => s.Key), Has.None.EqualTo("layers").And.None.EqualTo("seed"));
    }

    [TestCase("--lr", "0")]
    [TestCase("--lr", "NaN")]
    [TestCase("--batch", "1.5")]
    [TestCase("--loss", "quadruplet")]
    [TestCase("--dropout", "1")]
    [TestCase("--input-size", "1")]
    [TestCase("--channels", "2")]
    [TestCase("--dataset", " ")]
    public void A_value_outside_the_range_is_refused(string flag, string text)
    {
        var setting = TrainingConfig.Settings.Single(s => s.Flag == flag);
        Assert.That(setting.TryApply(new TrainingConfig(), text, out var unchanged), Is.False);
        Assert.That(unchanged, Is.EqualTo(new TrainingConfig()));
    }

    [Test]
    public void Metrics_json_records_every_setting_under_its_key()
    {
        var c = new TrainingConfig { Loss = LossKind.Triplet, Mining = TripletMining.BatchHard, LearningRate = 0.5 };
        var json = c.ToJson();
        Assert.That(json.Select(p => p.Key), Is.EqualTo(new[] { "layers", "relu_output" }.Concat(TrainingConfig.Settings.Select(s => s.Key))));
        Assert.That((json["loss"]!.GetValue<string>(), json["mining"]!.GetValue<string>(), json["learning_rate"]!.GetValue<double>()),
            Is.EqualTo(("triplet", "batch-hard", 0.5)));
    }
}
