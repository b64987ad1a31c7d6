using GpuSiamese.Model;
using GpuSiamese.Model.Settings;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// The refused combinations of training settings, written once in <see cref="SettingCombinations"/>: what the Model
/// refuses (the command line's sentences are in TrainOptionSetTests) and what it runs.
/// </summary>
public class SettingCombinationsTests
{
    static readonly TrainingConfig D = new();

    /// <summary>One configuration each combination refuses, by its flag and position among the combinations of that flag.</summary>
    static readonly (string Flag, TrainingConfig Config)[] Refused =
    [
        ("--pairs-per-epoch", D with { BatchPairs = 64, PairsPerEpoch = 10 }),
        ("--augment-max-scale", D with { AugmentMinScale = 1.2, AugmentMaxScale = 1.1 }),
        ("--nesterov", D with { Nesterov = true, Optimizer = OptimizerKind.Adam }),
        ("--nesterov", D with { Nesterov = true, Optimizer = OptimizerKind.Sgd, Momentum = 0 }),
        ("--mining", D with { Mining = TripletMining.BatchHard }),
        ("--layers", D with { InputSize = 28 }),
    ];

    [Test]
    public void Each_combination_has_a_configuration_it_refuses_and_no_other_refuses()
    {
        Assert.That(Refused, Has.Length.EqualTo(SettingCombinations.All.Count));
        for (int i = 0; i < Refused.Length; i++)
        {
            var (flag, config) = Refused[i];
            var refusing = SettingCombinations.All.Where(c => c.IsRefused(config)).ToArray();
            Assert.That(refusing, Is.EqualTo(new[] { SettingCombinations.All[i] }), $"row {i}: {flag}");
            Assert.That(refusing[0].Flag, Is.EqualTo(flag));
        }
        Assert.That(SettingCombinations.All.Where(c => c.IsRefused(D)), Is.Empty, "the defaults are refused");
        var augmentedAt28 = D with { Augment = true, AugmentFlip = true, InputSize = 28, Channels = 3, Network = D.Network.WithInput(new(3, 28, 28)) };
        Assert.That(SettingCombinations.All.Where(c => c.IsRefused(augmentedAt28)), Is.Empty, "augmentation works at any input");
    }

    [Test]
    public void The_model_refuses_each_combination_it_cannot_run_naming_the_flag()
    {
        foreach (var (flag, config) in Refused)
        {
            var combination = SettingCombinations.All.Single(c => c.IsRefused(config));
            if (combination.ModelRunsIt)
            {
                Assert.DoesNotThrow(config.Validate, $"{flag}: the Model runs it, so a saved configuration holding it loads");
                continue;
            }
            var e = Assert.Throws<ArgumentException>(config.Validate, flag)!;
            Assert.That(e.ParamName, Is.EqualTo(flag));
            Assert.That(e.Message, Does.StartWith(combination.ModelMessage!(config)));
        }
    }

    [Test]
    public void The_model_messages_keep_their_wording()
    {
        string Message(TrainingConfig c) => Assert.Throws<ArgumentException>(c.Validate)!.Message;
        Assert.That(Message(Refused[3].Config), Does.StartWith("--nesterov must be a momentum above 0, got 0"));
        Assert.That(Message(Refused[4].Config), Does.StartWith("--mining must be none unless --loss is triplet, got batch-hard"));
        Assert.That(Message(Refused[1].Config), Does.StartWith("--augment-max-scale must be a finite scale at least --augment-min-scale (1.2), got 1.1"));
        Assert.That(Message(Refused[5].Config), Does.StartWith("--layers reads 196 (196 values) but --input-size 28 --channels 1 give 1x28x28 (784 values)"));
    }
}
