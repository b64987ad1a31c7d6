using System.CommandLine;
using System.CommandLine.Parsing;
using GpuSiamese.Model;
using GpuSiamese.Model.Settings;

namespace GpuSiamese.Host.Options;

/// <summary>
/// The command-line options of training (shared by the root command and <c>train</c>; System.CommandLine wants
/// one instance per command, hence a set that is built per command) and their reading into <see cref="TrainOptions"/>.
/// The training options are made from <see cref="TrainingConfig.Settings"/>, one per definition; the network
/// (--layers, --relu-output/--no-relu-output) and the run's own settings are declared here.
/// </summary>
public sealed class TrainOptionSet
{
    static readonly TrainOptions D = new();

    readonly Option<string> _layers = OptionFactory.Checked("--layers", string.Join(',', D.Training.Network.Widths),
        "The network: " + NetworkSpec.Syntax + "; e.g. 1x14x14,c32k3,p,c64k3,p,f,128,32l", "SPEC",
        NetworkProblem);
    readonly Option<bool> _reluOutput = OptionFactory.Flag("--relu-output", "ReLU on the output layer too (the exercise's network; the default)");
    readonly Option<bool> _noReluOutput = OptionFactory.Flag("--no-relu-output", "Leave the output layer linear");
    readonly (TrainingSetting Setting, Option Option)[] _settings =
        TrainingConfig.Settings.Select(s => (s, OptionFactory.Setting(s))).ToArray();
    readonly Option<ulong> _seed = OptionFactory.ULong("--seed", D.Seed, "Seed of every random choice (initialisation, split, sampling, test pairs)");
    readonly Option<AcceleratorChoice> _accelerator = OptionFactory.Choice("--accelerator", D.Accelerator,
        "cpu = ILGPU's CPU accelerator, cuda, opencl (PoCL included), simd = vectorised host backend, auto = fastest present");
    readonly Option<string> _data = OptionFactory.Path("--data", "Folder holding the four MNIST IDX files (else $GPUSIAMESE_DATA, the cache, or a fetch)", helpName: "DIR");
    readonly Option<string> _runs = new("--runs") { Description = "Folder under which the run folder is made", HelpName = "DIR", DefaultValueFactory = _ => D.RunsDir };
    readonly Option<bool> _quiet = OptionFactory.Flag("--quiet", "No progress display; the final figures are still printed");
    readonly Option<int> _positives = TestPairOptions.Positives();
    readonly Option<int> _negatives = TestPairOptions.Negatives();
    readonly Option<string> _resume = OptionFactory.Path("--resume", "Continue from this checkpoint (optimizer state and sampler position included)", helpName: "CKPT");
    readonly Option<string> _preset = PresetOptions.Create();
    readonly Option<int> _oneShotWays = RecognitionOptions.Ways();
    readonly Option<int> _oneShotTrials = RecognitionOptions.Trials();
    readonly Option<int> _galleryPerDigit = RecognitionOptions.GalleryPerDigit();

    IEnumerable<Option> All =>
    [
        _layers, _reluOutput, _noReluOutput, .. _settings.Select(s => s.Option), _seed,
        _accelerator, _data, _runs, _quiet, _positives, _negatives, _resume, _preset, _oneShotWays, _oneShotTrials, _galleryPerDigit,
    ];

    /// <summary>Adds the options and the checks that involve more than one of them.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_reluOutput) && result.GetValue(_noReluOutput))
                result.AddError("--relu-output and --no-relu-output contradict each other: give one");
            // Options not given take the preset's value or the default: the checks see what training will get.
            if (!TryCompose(result, out var c)) return;
            foreach (var combination in SettingCombinations.All)
                if (combination.IsRefused(c)) result.AddError(combination.Sentence(c));
        });
    }

    /// <summary>
    /// The options as given; with <c>--preset</c> the preset's values replace the defaults of every option not given
    /// explicitly (a flag given wins over the preset; a preset's flag cannot be turned off except by its opposite flag).
    /// </summary>
    public TrainOptions Read(ParseResult parse)
    {
        if (!TryCompose(parse.CommandResult, out var training))
            throw new InvalidOperationException("the training options were read after they failed to parse");
        var (positives, negatives) = TestPairOptions.Sizes(parse.CommandResult, _positives, _negatives);
        return new TrainOptions
        {
            Training = training with { Seed = parse.GetValue(_seed) },
            Accelerator = parse.GetValue(_accelerator),
            DataDir = parse.GetValue(_data),
            RunsDir = parse.GetValue(_runs)!,
            Quiet = parse.GetValue(_quiet),
            PositivesPerDigit = positives,
            NegativesPerPair = negatives,
            Resume = parse.GetValue(_resume),
            Preset = parse.GetValue(_preset),
            OneShotWays = parse.GetValue(_oneShotWays),
            OneShotTrials = parse.GetValue(_oneShotTrials),
            GalleryPerDigit = parse.GetValue(_galleryPerDigit),
        };
    }

    /// <summary>
    /// The training configuration the command line asks for: the preset's (or the exercise's), then every option given
    /// explicitly over it. False when a given value failed to parse (its own error is the one reported).
    /// </summary>
    bool TryCompose(CommandResult result, out TrainingConfig config)
    {
        config = new TrainingConfig();
        if (!OptionFactory.TryGet(result, _preset, out string? presetName)) return false;
        var preset = presetName is null ? null : TrainingPresets.Find(presetName);
        if (preset is not null) config = preset.Config;
        if (Given(result, _layers) || result.GetValue(_reluOutput) || result.GetValue(_noReluOutput))
        {
            if (!OptionFactory.TryGet(result, _layers, out string? spec)) return false;
            if (!Given(result, _layers)) spec = config.Network.LayerList ?? string.Join(',', config.Network.Widths);
            bool relu = result.GetValue(_noReluOutput) ? false : result.GetValue(_reluOutput) || config.Network.ReluOnOutput;
            config = config with { Network = NetworkSpec.Parse(spec!, relu) };
        }
        foreach (var (setting, option) in _settings)
        {
            if (!Given(result, option)) continue;
            if (option is Option<bool> flag)
            {
                if (result.GetValue(flag)) setting.TryApply(config, "true", out config);
            }
            else if (!OptionFactory.TryGet(result, (Option<string>)option, out string text) || !setting.TryApply(config, text, out config))
            {
                return false;
            }
        }
        // The network's input follows --input-size and --channels, unless --layers spelled it (then they must agree).
        if (!Given(result, _layers) && SettingCombinations.InputMismatch.IsRefused(config))
        {
            try
            {
                config = config with { Network = preset is not null && !Given(result, _reluOutput) && !Given(result, _noReluOutput)
                    ? preset.NetworkOver(config.InputShape) : config.Network.WithInput(config.InputShape) };
            }
            catch (ArgumentException e)
            {
                result.AddError($"the network {config.Network} does not fit a {config.InputShape} input: {e.Message}");
                return false;
            }
        }
        return true;
    }

    /// <summary>Null when <paramref name="spec"/> spells a network (<see cref="Model.NetworkSpec"/>), else why not.</summary>
    static string? NetworkProblem(string spec)
    {
        try
        {
            Model.NetworkSpec.Parse(spec);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
        }
    }


    static bool Given(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };
}
