using GpuSiamese.Host.Options;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Host.Options;

public class TrainOptionSetTests
{
    static TrainOptions Parsed(params string[] args)
    {
        var jobs = new FakeModelJobs { Throw = new ArgumentException("stop after parsing") };
        using var runs = new TempFolder();
        var run = HostRun.Of(jobs, [.. args, "--runs", runs.Path]);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.Error);
        return jobs.TrainedWith ?? throw new AssertionException("train was not reached: " + run.Error);
    }

    [Test]
    public void No_options_give_the_exercise_defaults()
    {
        var o = Parsed();
        Assert.Multiple(() =>
        {
            Assert.That(o.Training.Network.Widths, Is.EqualTo(new[] { 196, 200, 10 }));
            Assert.That(o.Training.Network.ReluOnOutput, Is.True);
            Assert.That(o.Training.Loss, Is.EqualTo(LossKind.ContrastiveBounded));
            Assert.That(o.Training.Q, Is.EqualTo(5));
            Assert.That(o.Training.Optimizer, Is.EqualTo(OptimizerKind.Adam));
            Assert.That(o.Training.LearningRate, Is.EqualTo(0.01));
            Assert.That(o.Training.OptimizerEpsilon, Is.EqualTo(1e-7));
            Assert.That(o.Training.Epochs, Is.EqualTo(5));
            Assert.That(o.Training.BatchPairs, Is.EqualTo(64));
            Assert.That(o.Training.PairsPerEpoch, Is.EqualTo(60_000));
            Assert.That(o.Training.ValidationFraction, Is.EqualTo(0.1));
            Assert.That(o.Accelerator, Is.EqualTo(AcceleratorChoice.Auto));
            Assert.That(o.PositivesPerDigit, Is.Null, "scaled to the data: 800 for MNIST");
            Assert.That(o.NegativesPerPair, Is.Null);
            Assert.That(o.Quiet, Is.False);
            Assert.That(o.Resume, Is.Null);
        });
    }

    [Test]
    public void Root_and_train_read_the_same_options()
    {
        string[] args = ["--epochs", "3", "--q", "2.5", "--accelerator", "simd"];
        var root = Parsed(args);
        var train = Parsed(["train", .. args]);
        Assert.That((root.Training.Epochs, root.Training.Q, root.Accelerator), Is.EqualTo((3, 2.5, AcceleratorChoice.Simd)));
        Assert.That((train.Training.Epochs, train.Training.Q, train.Accelerator), Is.EqualTo((3, 2.5, AcceleratorChoice.Simd)));
    }

    [Test]
    public void Every_option_is_read_into_its_field()
    {
        using var data = new TempFolder();
        string ckpt = data.File("old.ckpt");
        File.WriteAllBytes(ckpt, [0]);
        var o = Parsed("train", "--layers", "196,128,128,128", "--no-relu-output", "--loss", "margin", "--q", "7",
            "--margin", "2", "--optimizer", "sgd", "--lr", "0.05", "--beta1", "0.8", "--beta2", "0.99", "--adam-eps", "1e-8",
            "--rho", "0.95", "--momentum", "0.5", "--nesterov", "--lr-schedule", "cosine", "--lr-step-epochs", "3",
            "--lr-gamma", "0.1", "--cosine-final", "0.05", "--monitor-pairs", "100", "--augment", "--augment-shift", "1.5",
            "--augment-rotation", "20", "--augment-min-scale", "0.8", "--augment-max-scale", "1.3", "--patience", "2", "--clip-norm", "4", "--epochs", "2", "--batch", "32", "--pairs-per-epoch", "640",
            "--validation", "0.2", "--eps", "1e-6", "--seed", "18446744073709551615", "--accelerator", "opencl",
            "--data", data.Path, "--quiet", "--positives-per-digit", "10", "--negatives-per-pair", "3", "--resume", ckpt);
        Assert.Multiple(() =>
        {
            Assert.That(o.Training.Network.Widths, Is.EqualTo(new[] { 196, 128, 128, 128 }));
            Assert.That(o.Training.Network.ReluOnOutput, Is.False);
            Assert.That(o.Training.Loss, Is.EqualTo(LossKind.ContrastiveMargin));
            Assert.That((o.Training.Q, o.Training.Margin), Is.EqualTo((7.0, 2.0)));
            Assert.That(o.Training.Optimizer, Is.EqualTo(OptimizerKind.Sgd));
            Assert.That((o.Training.LearningRate, o.Training.Beta1, o.Training.Beta2, o.Training.OptimizerEpsilon, o.Training.Rho, o.Training.Momentum), Is.EqualTo((0.05, 0.8, 0.99, 1e-8, 0.95, 0.5)));
            Assert.That(o.Training.Nesterov, Is.True);
            Assert.That((o.Training.Schedule, o.Training.StepEpochs, o.Training.StepGamma), Is.EqualTo((LearningRateSchedule.Cosine, 3, 0.1)));
            Assert.That(o.Training.ClipNorm, Is.EqualTo(4));
            Assert.That((o.Training.CosineFinalFraction, o.Training.MonitorPairs), Is.EqualTo((0.05, 100)));
            Assert.That((o.Training.Augment, o.Training.AugmentShift, o.Training.AugmentRotation, o.Training.AugmentMinScale, o.Training.AugmentMaxScale, o.Training.EarlyStoppingPatience),
                Is.EqualTo((true, 1.5, 20.0, 0.8, 1.3, 2)));
            Assert.That((o.Training.Epochs, o.Training.BatchPairs, o.Training.PairsPerEpoch), Is.EqualTo((2, 32, 640)));
            Assert.That((o.Training.ValidationFraction, o.Training.DistanceEpsilon), Is.EqualTo((0.2, 1e-6)));
            Assert.That(o.Seed, Is.EqualTo(ulong.MaxValue));
            Assert.That(o.Accelerator, Is.EqualTo(AcceleratorChoice.OpenCl));
            Assert.That(o.DataDir, Is.EqualTo(data.Path));
            Assert.That(o.Quiet, Is.True);
            Assert.That((o.PositivesPerDigit, o.NegativesPerPair), Is.EqualTo((10, 3)));
            Assert.That(o.Resume, Is.EqualTo(ckpt));
        });
    }

    [TestCase("rmsprop", OptimizerKind.RmsProp)]
    [TestCase("ADAM", OptimizerKind.Adam)]
    public void Choices_are_read_in_any_case(string value, OptimizerKind expected) =>
        Assert.That(Parsed("--optimizer", value).Training.Optimizer, Is.EqualTo(expected));

    [TestCase("--batch", "0", "--batch expects a whole number ≥ 1, got '0'")]
    [TestCase("--epochs", "-1", "--epochs expects a whole number ≥ 1, got '-1'")]
    [TestCase("--epochs", "two", "--epochs expects a whole number ≥ 1, got 'two'")]
    [TestCase("--lr", "NaN", "--lr expects a number > 0, got 'NaN'")]
    [TestCase("--lr", "0", "--lr expects a number > 0, got '0'")]
    [TestCase("--lr", "-0.1", "--lr expects a number > 0, got '-0.1'")]
    [TestCase("--q", "0", "--q expects a number > 0, got '0'")]
    [TestCase("--q", "Infinity", "--q expects a number > 0, got 'Infinity'")]
    [TestCase("--layers", "784,200,10", "--layers reads 784 (784 values) but --input-size 14 --channels 1 give 1x14x14 (196 values); leave --layers out to have the network follow the input, or start it with the input's shape")]
    [TestCase("--input-size", "1", "--input-size expects a whole number from 2 to 1024, got '1'")]
    [TestCase("--input-size", "1025", "--input-size expects a whole number from 2 to 1024, got '1025'")]
    [TestCase("--channels", "2", "--channels expects 1 or 3, got '2'")]
    [TestCase("--layers", "196", "--layers needs the input width and at least one layer (e.g. 196,200,10), got '196'")]
    [TestCase("--layers", "196,0,10", "--layers: every width must be at least 1, got 0 in '196,0,10'")]
    [TestCase("--layers", "196,x", "--layers '196,x': 'x': expected a dense width such as 128 or 32l, a convolution such as c32k3, p or f")]
    [TestCase("--layers", "1x14x14,c8k4,f,10", "--layers '1x14x14,c8k4,f,10': 'c8k4': a 4x4 same convolution to 8 channels over 1x14x14: 'same' padding needs an odd kernel size")]
    [TestCase("--beta1", "1", "--beta1 expects a number in [0, 1), got '1'")]
    [TestCase("--validation", "0", "--validation expects a number in (0, 1), got '0'")]
    [TestCase("--loss", "quadruplet", "--loss expects one of contrastive|margin|triplet, got 'quadruplet'")]
    [TestCase("--triplet-margin", "0", "--triplet-margin expects a number > 0, got '0'")]
    [TestCase("--mining", "hardest", "--mining expects one of none|batch-hard, got 'hardest'")]
    [TestCase("--mining-warmup", "-1", "--mining-warmup expects a whole number ≥ 0, got '-1'")]
    [TestCase("--dropout", "1", "--dropout expects a number in [0, 1), got '1'")]
    [TestCase("--dropout", "-0.1", "--dropout expects a number in [0, 1), got '-0.1'")]
    [TestCase("--accelerator", "tpu", "--accelerator expects one of cpu|cuda|opencl|simd|auto, got 'tpu'")]
    [TestCase("--optimizer", "0", "--optimizer expects one of adam|rmsprop|sgd, got '0'")]
    [TestCase("--seed", "-3", "--seed expects a whole number ≥ 0, got '-3'")]
    [TestCase("--monitor-pairs", "10", "--monitor-pairs expects a whole number ≥ 20, got '10'")]
    [TestCase("--cosine-final", "2", "--cosine-final expects a number in [0, 1], got '2'")]
    [TestCase("--patience", "-1", "--patience expects a whole number ≥ 0, got '-1'")]
    [TestCase("--augment-rotation", "200", "--augment-rotation expects a number in [0, 180], got '200'")]
    [TestCase("--clip-norm", "-1", "--clip-norm expects a number ≥ 0, got '-1'")]
    public void A_bad_value_is_one_line_naming_the_option_and_exit_2(string option, string value, string message)
    {
        var jobs = new FakeModelJobs();
        foreach (string[] args in new[] { new[] { option, value }, new[] { "train", option, value } })
        {
            var run = HostRun.Of(jobs, args);
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.ErrorLines, Has.Length.EqualTo(1), "one error line, the usage hint at its end");
            Assert.That(run.ErrorLines[0], Does.StartWith($"error: {message} (usage: gpusiamese"));
        }
        Assert.That(jobs.TrainedWith, Is.Null, "training never started");
    }

    [Test]
    public void The_network_input_follows_the_input_size_and_channels_unless_layers_spell_it()
    {
        Assert.That(Parsed().Training.Network, Is.EqualTo(NetworkConfig.Default), "MNIST's default network unchanged");
        var full = Parsed("--input-size", "28").Training;
        Assert.That(full.Network.Widths, Is.EqualTo(new[] { 784, 200, 10 }));
        var colour = Parsed("--preset", "best", "--input-size", "32", "--channels", "3").Training;
        Assert.That(colour.Network.Widths, Is.EqualTo(new[] { 3 * 32 * 32, 512, 256, 32 }));
        var cnn = Parsed("--preset", "cnn", "--input-size", "28").Training;
        Assert.That(cnn.Network.LayerList, Is.EqualTo("1x28x28,c32k3,p,c64k3,p,f,128,32l"));
        Assert.That((cnn.Augment, cnn.AugmentFlip), Is.EqualTo((true, false)), "the preset's augmentation works on the 28x28 input too");
        var flipped = Parsed("--input-size", "28", "--channels", "3", "--augment-flip").Training;
        Assert.That((flipped.Augment, flipped.AugmentFlip, flipped.Augments), Is.EqualTo((false, true, true)));
        Assert.That(cnn.Network.Input, Is.EqualTo(new GpuSiamese.Model.Layers.LayerShape(1, 28, 28)));
        var given = Parsed("--input-size", "28", "--layers", "1x28x28,c8k3,p,f,16l").Training;
        Assert.That(given.Network.LayerList, Is.EqualTo("1x28x28,c8k3,p,f,16l"));
        var data = Parsed("--dataset", "fashion-mnist", "--holdout-classes", "Bag,Sandal").Training;
        Assert.That((data.Dataset, data.HoldoutClasses, data.InputSize, data.Channels), Is.EqualTo(("fashion-mnist", "Bag,Sandal", 14, 1)));
    }

    [Test]
    public void Triplet_options_are_read_into_their_fields()
    {
        var o = Parsed("--loss", "triplet", "--triplet-margin", "0.5", "--mining", "Batch-Hard", "--mining-warmup", "0", "--dropout", "0.2");
        Assert.That((o.Training.Loss, o.Training.TripletMargin, o.Training.Mining, o.Training.MiningWarmupEpochs, o.Training.Dropout), Is.EqualTo((LossKind.Triplet, 0.5, TripletMining.BatchHard, 0, 0.2)));
        var d = Parsed();
        Assert.That((d.Training.TripletMargin, d.Training.Mining, d.Training.MiningWarmupEpochs, d.Training.Dropout), Is.EqualTo((1.0, TripletMining.None, 1, 0.0)));
    }

    [TestCase(new[] { "--relu-output", "--no-relu-output" }, "--relu-output and --no-relu-output contradict each other: give one")]
    [TestCase(new[] { "--batch", "64", "--pairs-per-epoch", "10" }, "--pairs-per-epoch (10) must be at least --batch (64)")]
    [TestCase(new[] { "--augment-min-scale", "1.2", "--augment-max-scale", "1.1" }, "--augment-max-scale (1.1) must be at least --augment-min-scale (1.2)")]
    [TestCase(new[] { "--nesterov" }, "--nesterov applies to --optimizer sgd only")]
    [TestCase(new[] { "--mining", "batch-hard" }, "--mining batch-hard applies to --loss triplet only")]
    public void Contradicting_options_are_refused(string[] args, string message)
    {
        var run = HostRun.Of(new FakeModelJobs(), args);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith($"error: {message} (usage: gpusiamese"));
    }

    /// <summary>
    /// The refused combinations <see cref="GpuSiamese.Model.Settings.SettingCombinations"/> holds beyond the ones above: the
    /// command line reports them with their sentence (the Model's own refusals of them are in SettingCombinationsTests).
    /// </summary>
    [TestCase(new[] { "--optimizer", "sgd", "--momentum", "0", "--nesterov" }, "--nesterov needs --momentum above 0")]
    [TestCase(new[] { "--input-size", "28", "--layers", "196,200,10" },
        "--layers reads 196 (196 values) but --input-size 28 --channels 1 give 1x28x28 (784 values); leave --layers out to have the network follow the input, or start it with the input's shape")]
    public void Every_refused_combination_is_reported_with_its_sentence(string[] args, string message)
    {
        var run = HostRun.Of(new FakeModelJobs(), args);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith($"error: {message} (usage: gpusiamese"));
    }

    [Test]
    public void A_missing_resume_checkpoint_names_the_option()
    {
        var run = HostRun.Of(new FakeModelJobs(), "--resume", "/nonexistent/model.ckpt");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error.Trim(), Is.EqualTo("error: --resume: no such file '/nonexistent/model.ckpt'"));
    }
}
