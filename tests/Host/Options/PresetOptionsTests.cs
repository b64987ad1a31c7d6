using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Model;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Tests.Host.Options;

public class PresetOptionsTests
{
    static HostRun Run(FakeModelJobs jobs, params string[] args)
    {
        using var runs = new TempFolder();
        return HostRun.Of(jobs, [.. args, "--runs", runs.Path]);
    }

    static TrainOptions Parsed(params string[] args)
    {
        var jobs = new FakeModelJobs { Throw = new ArgumentException("stop after parsing") };
        var run = Run(jobs, args);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.Error);
        return jobs.TrainedWith ?? throw new AssertionException("train was not reached: " + run.Error);
    }

    [Test]
    public void The_best_preset_sets_the_configuration_of_the_model_preset()
    {
        var o = Parsed("--preset", "best");
        Assert.That(o.Preset, Is.EqualTo("best"));
        // Through the host's own mapping the options must give back exactly the Model's configuration.
        Assert.That(o.Training, Is.EqualTo(TrainingPresets.Best.Config));
        Assert.That(o.Training, Is.Not.EqualTo(new TrainingConfig()), "the preset differs from the exercise");
        var upper = Parsed("train", "--preset", "BEST");
        Assert.That((upper.Preset, upper.Training), Is.EqualTo(("best", o.Training)), "train and any case read the same");
    }

    [Test]
    public void Options_given_explicitly_override_the_preset()
    {
        var best = TrainingPresets.Best.Config;
        var o = Parsed("--preset", "best", "--epochs", "3", "--lr", "0.05", "--layers", "196,64,8", "--relu-output",
            "--loss", "contrastive", "--lr-schedule", "none", "--batch", "32", "--seed", "7");
        Assert.Multiple(() =>
        {
            Assert.That((o.Training.Epochs, o.Training.LearningRate, o.Training.Network.Widths, o.Training.Network.ReluOnOutput), Is.EqualTo((3, 0.05, new[] { 196, 64, 8 }, true)));
            Assert.That((o.Training.Loss, o.Training.Schedule, o.Training.BatchPairs, o.Seed), Is.EqualTo((LossKind.ContrastiveBounded, LearningRateSchedule.None, 32, 7UL)));
            // What was not given still comes from the preset.
            Assert.That(o.Training.PairsPerEpoch, Is.EqualTo(best.PairsPerEpoch));
            Assert.That((o.Training.Margin, best.Margin), Is.EqualTo((2.0, 2.0)));
            Assert.That(o.Training.Augment, Is.EqualTo(best.Augment));
        });
    }

    [Test]
    public void An_explicit_value_equal_to_the_default_still_beats_the_preset()
    {
        // 5 and 0.01 are the exercise's defaults: given explicitly they must not be mistaken for "not given".
        var o = Parsed("--preset", "best", "--epochs", "5", "--lr", "0.01");
        Assert.That((o.Training.Epochs, o.Training.LearningRate), Is.EqualTo((5, 0.01)));
        Assert.That(TrainingPresets.Best.Config.Epochs, Is.Not.EqualTo(5));
        Assert.That(TrainingPresets.Best.Config.LearningRate, Is.Not.EqualTo(0.01));
    }

    [Test]
    public void A_batch_alone_is_checked_against_the_pairs_per_epoch_it_will_get()
    {
        Assert.That(Parsed("--batch", "32").Training.BatchPairs, Is.EqualTo(32), "60,000 pairs per epoch hold batches of 32");
        var run = Run(new FakeModelJobs(), "--preset", "best", "--batch", "70000");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), "one error line, the usage hint at its end");
        Assert.That(run.ErrorLines[0], Does.StartWith($"error: --pairs-per-epoch ({TrainingPresets.Best.Config.PairsPerEpoch}) must be at least --batch (70000) (usage: gpusiamese"));
    }

    [Test]
    public void Without_a_preset_the_exercise_defaults_stay()
    {
        var o = Parsed();
        Assert.That(o.Preset, Is.Null);
        Assert.That(o.Training, Is.EqualTo(new TrainingConfig()));
    }

    [Test]
    public void The_fashion_preset_is_the_model_preset_and_its_network_follows_another_input_size()
    {
        var o = Parsed("--dataset", "fashion-mnist", "--preset", "fashion");
        Assert.That(o.Training, Is.EqualTo(TrainingPresets.Fashion.Config with { Dataset = "fashion-mnist" }));
        Assert.That((o.Training.InputSize, o.Training.AugmentFlip, o.Training.Augment), Is.EqualTo((28, true, false)));
        var small = Parsed("--dataset", "fashion-mnist", "--preset", "fashion", "--input-size", "14").Training;
        Assert.That(small.Network.LayerList, Is.EqualTo("1x14x14,c32k3,p,c64k3,p,c128k3,p,256,64l"));
    }

    [Test]
    public void An_unknown_preset_is_one_line_naming_the_option_and_the_choices()
    {
        var jobs = new FakeModelJobs();
        var run = Run(jobs, "--preset", "fastest");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), "one error line, the usage hint at its end");
        Assert.That(run.ErrorLines[0], Does.StartWith("error: --preset expects one of best|cnn|fashion|residual|fashion-residual|resnet18, got 'fastest' (usage: gpusiamese"));
        Assert.That(jobs.TrainedWith, Is.Null);
    }

    [Test]
    public void Help_says_what_the_preset_is()
    {
        var run = HostRun.Of(new FakeModelJobs(), "train", "--help");
        Assert.That(run.ExitCode, Is.EqualTo(0));
        Assert.That(run.Out, Does.Contain("--preset").And.Contain("best = " + TrainingPresets.Best.Summary[..30]));
    }

    [Test]
    public void The_resnet18_preset_makes_seed_003s_network_over_the_input_asked_for()
    {
        var faces = Parsed("--preset", "resnet18", "--input-size", "64", "--channels", "3").Training.Network;
        Assert.That(faces, Is.EqualTo(TrainingPresets.ResNet18Over(new LayerShape(3, 64, 64))));
        Assert.That(faces.LayerList, Does.StartWith("3x64x64,c64k7s2l,p3s2p1,r64,"), "ImageNet's stem from 64x64 up");
        var small = Parsed("--preset", "resnet18", "--input-size", "32", "--channels", "3").Training.Network;
        Assert.That(small.LayerList, Does.StartWith("3x32x32,c64k3l,r64,"), "a 3x3 stem without the pool for small inputs");
        Assert.That(small.Layers.OfType<MaxPoolLayer>(), Is.Empty);
        var digits = Parsed("--preset", "resnet18").Training.Network;
        Assert.That(digits, Is.EqualTo(TrainingPresets.ResNet18.Config.Network));
        Assert.That((digits.Input.ToString(), digits.OutputWidth), Is.EqualTo(("1x14x14", 128)));
    }

    [Test]
    public void The_residual_preset_reads_its_layers_over_another_input()
    {
        var o = Parsed("--preset", "residual", "--input-size", "28").Training;
        Assert.That(o.Network.LayerList, Is.EqualTo("1x28x28" + TrainingPresets.Residual.Config.Network.LayerList![7..]));
        Assert.That(o.Augment, Is.True);
    }
}
