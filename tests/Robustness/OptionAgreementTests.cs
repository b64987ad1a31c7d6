using GpuSiamese.Host.Jobs;
using GpuSiamese.Model;
using GpuSiamese.Tests.Host;
using TempFolder = GpuSiamese.Tests.Host.TempFolder;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// The command line and the Model's own validation must agree: every option a TrainingConfig error names is one
/// the CLI has, and a value the CLI accepts is one the Model accepts (decays β1, β2, ρ in [0, 1)).
/// </summary>
public class OptionAgreementTests
{
    static IEnumerable<TestCaseData> ModelRefusals()
    {
        var d = new TrainingConfig();
        TrainingConfig[] bad =
        [
            d with { OptimizerEpsilon = 0 }, d with { DistanceEpsilon = 0 }, d with { Schedule = (LearningRateSchedule)9 },
            d with { StepEpochs = 0 }, d with { StepGamma = 2 }, d with { Beta1 = 1 }, d with { Beta2 = -1 }, d with { Rho = 1 },
            d with { Q = 0 }, d with { Margin = 0 }, d with { LearningRate = 0 }, d with { Momentum = 1 }, d with { Epochs = 0 },
            d with { BatchPairs = 0 }, d with { PairsPerEpoch = 0 }, d with { ValidationFraction = 1 }, d with { CosineFinalFraction = 2 },
            d with { ClipNorm = -1 }, d with { MonitorPairs = 1 }, d with { AugmentShift = -1 }, d with { AugmentRotation = -1 },
            d with { AugmentMinScale = 0 }, d with { AugmentMaxScale = 0.1 }, d with { EarlyStoppingPatience = -1 },
        ];
        foreach (var config in bad)
        {
            var e = Assert.Throws<ArgumentException>(config.Validate)!;
            yield return new TestCaseData(e.ParamName, e.Message).SetName($"Model error names a CLI option: {e.ParamName}");
        }
    }

    static readonly string TrainHelp = HostRun.Of(null, "train", "--help").Out;

    [TestCaseSource(nameof(ModelRefusals))]
    public void Every_option_the_model_names_is_one_the_cli_has(string option, string message)
    {
        Assert.That(message, Does.StartWith(option + " must be"));
        Assert.That(TrainHelp, Does.Contain("  " + option + " "), $"'{message}' names an option 'train --help' does not list");
    }

    [TestCase("--beta1", "0", "adam")]
    [TestCase("--beta2", "0", "adam")]
    [TestCase("--rho", "0", "rmsprop")]
    public void A_decay_of_zero_that_the_cli_accepts_trains(string option, string value, string optimizer)
    {
        using var dir = new TempFolder();
        string data = SmallRun.WriteData(dir.File("mnist"));
        var run = HostRun.Of(new ModelJobs(), [.. SmallRun.TrainArgs(data, dir.File("runs"), epochs: 1), "--optimizer", optimizer, option, value]);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
    }
}
