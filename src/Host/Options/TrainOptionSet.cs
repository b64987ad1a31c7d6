using System.CommandLine;
using System.CommandLine.Parsing;

namespace GpuSiamese.Host.Options;

/// <summary>
/// The command-line options of training (shared by the root command and <c>train</c>; System.CommandLine wants
/// one instance per command, hence a set that is built per command) and their reading into <see cref="TrainOptions"/>.
/// </summary>
public sealed class TrainOptionSet
{
    static readonly TrainOptions D = new();

    readonly Option<string> _layers = OptionFactory.Checked("--layers", string.Join(',', D.Layers),
        "The network: dense widths from the 196-pixel input (e.g. 196,200,10), or a layer list over the 1x14x14 image, " +
        "e.g. 1x14x14,c32k3,p,c64k3,p,f,128,32l (cNkK: convolution to N channels, KxK, same padding; cNkKv: valid padding; " +
        "p: 2x2 max-pool; f: flatten; N: dense; a trailing l makes a conv or dense layer linear, else ReLU)", "SPEC",
        NetworkProblem);
    readonly Option<bool> _reluOutput = OptionFactory.Flag("--relu-output", "ReLU on the output layer too (the exercise's network; the default)");
    readonly Option<bool> _noReluOutput = OptionFactory.Flag("--no-relu-output", "Leave the output layer linear");
    readonly Option<LossChoice> _loss = OptionFactory.Choice("--loss", D.Loss,
        "contrastive: (1-Y)(2/Q)E^2 + Y 2Q exp(-2.77E/Q) (Chopra 2005); margin: (1-Y)E^2 + Y max(m-E,0)^2 (Hadsell 2006); " +
        "triplet: max(d(a,p) - d(a,n) + m, 0) on balanced triplets, m = --triplet-margin (--batch and --pairs-per-epoch then count triplets; evaluation stays on pairs)");
    readonly Option<double> _q = OptionFactory.Double("--q", D.Q, "Bound Q of the contrastive loss", "a number > 0", v => v > 0);
    readonly Option<double> _margin = OptionFactory.Double("--margin", D.Margin, "Margin m of the margin loss", "a number > 0", v => v > 0);
    readonly Option<double> _tripletMargin = OptionFactory.Double("--triplet-margin", D.TripletMargin, "Margin m of the triplet loss", "a number > 0", v => v > 0);
    readonly Option<MiningChoice> _mining = OptionFactory.Spelled("--mining", D.Mining,
        "Triplets to train on (--loss triplet only): none = as sampled; batch-hard = for each anchor the farthest same-digit and nearest other-digit image among the batch's 3B rows (Hermans 2017)",
        ("none", MiningChoice.None), ("batch-hard", MiningChoice.BatchHard));
    readonly Option<int> _miningWarmup = OptionFactory.Int("--mining-warmup", D.MiningWarmup, 0,
        "Epochs trained on the sampled triplets before batch-hard mining starts (mining an untrained network tends to collapse it)");
    readonly Option<double> _dropout = OptionFactory.Double("--dropout", D.Dropout,
        "Dropout probability on the hidden layers' outputs while training (kept units scaled by 1/(1-p); 0 = off)", "a number in [0, 1)", v => v is >= 0 and < 1);
    readonly Option<OptimizerChoice> _optimizer = OptionFactory.Choice("--optimizer", D.Optimizer, "Optimizer");
    readonly Option<double> _lr = OptionFactory.Double("--lr", D.LearningRate, "Learning rate", "a number > 0", v => v > 0);
    readonly Option<double> _beta1 = OptionFactory.Double("--beta1", D.Beta1, "Adam's decay of the first moment", "a number in [0, 1)", v => v is >= 0 and < 1);
    readonly Option<double> _beta2 = OptionFactory.Double("--beta2", D.Beta2, "Adam's decay of the second moment", "a number in [0, 1)", v => v is >= 0 and < 1);
    readonly Option<double> _adamEps = OptionFactory.Double("--adam-eps", D.AdamEps, "Adam's and RMSprop's epsilon in the denominator", "a number > 0", v => v > 0);
    readonly Option<double> _rho = OptionFactory.Double("--rho", D.Rho, "RMSprop's decay of the squared-gradient average", "a number in [0, 1)", v => v is >= 0 and < 1);
    readonly Option<double> _momentum = OptionFactory.Double("--momentum", D.Momentum, "SGD momentum (0 = plain SGD)", "a number in [0, 1)", v => v is >= 0 and < 1);
    readonly Option<bool> _nesterov = OptionFactory.Flag("--nesterov", "Nesterov momentum for SGD");
    readonly Option<LrScheduleChoice> _schedule = OptionFactory.Choice("--lr-schedule", D.LrSchedule,
        "Learning-rate schedule: step multiplies by --lr-gamma every --lr-step-epochs epochs; cosine anneals to --cosine-final x --lr over the run");
    readonly Option<int> _lrStep = OptionFactory.Int("--lr-step-epochs", D.LrStepEpochs, 1, "Epochs between decays of the step schedule");
    readonly Option<double> _lrGamma = OptionFactory.Double("--lr-gamma", D.LrGamma, "Factor of the step schedule", "a number in (0, 1]", v => v is > 0 and <= 1);
    readonly Option<double> _cosineFinal = OptionFactory.Double("--cosine-final", D.CosineFinal, "Cosine schedule: fraction of --lr reached at the last step", "a number in [0, 1]", v => v is >= 0 and <= 1);
    readonly Option<int> _monitorPairs = OptionFactory.Int("--monitor-pairs", D.MonitorPairs, 20, "Pairs in each fixed balanced set the per-epoch train and validation accuracies are measured on");
    readonly Option<bool> _augment = OptionFactory.Flag("--augment", "Augment training images: random shift, rotation and scale of the 28x28 original before pooling");
    readonly Option<double> _augmentShift = OptionFactory.Double("--augment-shift", D.AugmentShift, "Largest shift in 28x28 pixels, each axis", "a number in [0, 28]", v => v is >= 0 and <= 28);
    readonly Option<double> _augmentRotation = OptionFactory.Double("--augment-rotation", D.AugmentRotation, "Largest rotation in degrees, either way", "a number in [0, 180]", v => v is >= 0 and <= 180);
    readonly Option<double> _augmentMinScale = OptionFactory.Double("--augment-min-scale", D.AugmentMinScale, "Smallest scale factor", "a number > 0", v => v > 0);
    readonly Option<double> _augmentMaxScale = OptionFactory.Double("--augment-max-scale", D.AugmentMaxScale, "Largest scale factor (at least --augment-min-scale)", "a number > 0", v => v > 0);
    readonly Option<int> _patience = OptionFactory.Int("--patience", D.Patience, 0, "Early stopping: stop after this many epochs without a better validation AUC and keep the best epoch (0 = off)");
    readonly Option<double> _clipNorm = OptionFactory.Double("--clip-norm", D.ClipNorm, "Largest gradient norm; larger gradients are scaled down (0 = off)", "a number ≥ 0", v => v >= 0);
    readonly Option<int> _epochs = OptionFactory.Int("--epochs", D.Epochs, 1, "Epochs");
    readonly Option<int> _batch = OptionFactory.Int("--batch", D.Batch, 1, "Pairs per batch (half same-digit, half different-digit)");
    readonly Option<int> _pairsPerEpoch = OptionFactory.Int("--pairs-per-epoch", D.PairsPerEpoch, 1, "Pairs per epoch");
    readonly Option<double> _validation = OptionFactory.Double("--validation", D.Validation, "Fraction of the training images held out for validation", "a number in (0, 1)", v => v is > 0 and < 1);
    readonly Option<double> _eps = OptionFactory.Double("--eps", D.Eps, "Epsilon of the distance sqrt(max(sum (a-b)^2, eps))", "a number > 0", v => v > 0);
    readonly Option<ulong> _seed = OptionFactory.ULong("--seed", D.Seed, "Seed of every random choice (initialisation, split, sampling, test pairs)");
    readonly Option<AcceleratorChoice> _accelerator = OptionFactory.Choice("--accelerator", D.Accelerator,
        "cpu = ILGPU's CPU accelerator, cuda, opencl (PoCL included), simd = vectorised host backend, auto = fastest present");
    readonly Option<string> _data = OptionFactory.Path("--data", "Folder holding the four MNIST IDX files (else $GPUSIAMESE_DATA, the cache, or a fetch)", helpName: "DIR");
    readonly Option<string> _runs = new("--runs") { Description = "Folder under which the run folder is made", HelpName = "DIR", DefaultValueFactory = _ => D.RunsDir };
    readonly Option<bool> _quiet = OptionFactory.Flag("--quiet", "No progress display; the final figures are still printed");
    readonly Option<int> _positives = OptionFactory.Int("--positives-per-digit", D.PositivesPerDigit, 1, "Same-digit test pairs per digit");
    readonly Option<int> _negatives = OptionFactory.Int("--negatives-per-pair", D.NegativesPerPair, 1, "Different-digit test pairs per unordered digit pair");
    readonly Option<string> _resume = OptionFactory.Path("--resume", "Continue from this checkpoint (optimizer state and sampler position included)", helpName: "CKPT");
    readonly Option<string> _preset = PresetOptions.Create();
    readonly Option<int> _oneShotWays = RecognitionOptions.Ways();
    readonly Option<int> _oneShotTrials = RecognitionOptions.Trials();
    readonly Option<int> _galleryPerDigit = RecognitionOptions.GalleryPerDigit();

    IEnumerable<Option> All =>
    [
        _layers, _reluOutput, _noReluOutput, _loss, _q, _margin, _tripletMargin, _mining, _miningWarmup, _dropout, _optimizer, _lr, _beta1, _beta2, _adamEps, _rho, _momentum,
        _nesterov, _schedule, _lrStep, _lrGamma, _cosineFinal, _monitorPairs, _augment, _augmentShift, _augmentRotation, _augmentMinScale, _augmentMaxScale, _patience, _clipNorm, _epochs, _batch, _pairsPerEpoch, _validation, _eps, _seed,
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
            var b = OptionFactory.TryGet(result, _preset, out string? preset) && preset is not null
                ? PresetOptions.Apply(D, Model.TrainingPresets.Find(preset)) : D;
            if (Resolve(result, _pairsPerEpoch, b.PairsPerEpoch, out int pairs) && Resolve(result, _batch, b.Batch, out int batch)
                && pairs < batch)
                result.AddError($"--pairs-per-epoch ({pairs}) must be at least --batch ({batch})");
            if (Resolve(result, _augmentMinScale, b.AugmentMinScale, out double low) && Resolve(result, _augmentMaxScale, b.AugmentMaxScale, out double high)
                && high < low)
                result.AddError($"--augment-max-scale ({OptionFactory.Format(high)}) must be at least --augment-min-scale ({OptionFactory.Format(low)})");
            if (result.GetValue(_nesterov) && Resolve(result, _optimizer, b.Optimizer, out var optimizer) && optimizer != OptimizerChoice.Sgd)
                result.AddError("--nesterov applies to --optimizer sgd only");
            if (OptionFactory.TryGet(result, _mining, out var mining) && mining != MiningChoice.None
                && OptionFactory.TryGet(result, _loss, out var loss) && loss != LossChoice.Triplet)
                result.AddError("--mining batch-hard applies to --loss triplet only");
        });
    }

    /// <summary>
    /// The options as given; with <c>--preset</c> the preset's values replace the defaults of every option not given
    /// explicitly (a flag given wins over the preset; a preset's flag cannot be turned off except by its opposite flag).
    /// </summary>
    public TrainOptions Read(ParseResult parse)
    {
        string? preset = parse.GetValue(_preset);
        var b = preset is null ? D : PresetOptions.Apply(D, Model.TrainingPresets.Find(preset));
        return new TrainOptions
        {
            Layers = DenseWidths(Pick(parse, _layers, b.LayerList ?? string.Join(',', b.Layers))),
            LayerList = LayerListOf(Pick(parse, _layers, b.LayerList ?? string.Join(',', b.Layers))),
            ReluOutput = parse.GetValue(_noReluOutput) ? false : parse.GetValue(_reluOutput) || b.ReluOutput,
            Loss = Pick(parse, _loss, b.Loss),
            Q = Pick(parse, _q, b.Q),
            Margin = Pick(parse, _margin, b.Margin),
            TripletMargin = Pick(parse, _tripletMargin, b.TripletMargin),
            Mining = Pick(parse, _mining, b.Mining),
            MiningWarmup = Pick(parse, _miningWarmup, b.MiningWarmup),
            Dropout = Pick(parse, _dropout, b.Dropout),
            Optimizer = Pick(parse, _optimizer, b.Optimizer),
            LearningRate = Pick(parse, _lr, b.LearningRate),
            Beta1 = Pick(parse, _beta1, b.Beta1),
            Beta2 = Pick(parse, _beta2, b.Beta2),
            AdamEps = Pick(parse, _adamEps, b.AdamEps),
            Rho = Pick(parse, _rho, b.Rho),
            Momentum = Pick(parse, _momentum, b.Momentum),
            Nesterov = parse.GetValue(_nesterov) || b.Nesterov,
            LrSchedule = Pick(parse, _schedule, b.LrSchedule),
            LrStepEpochs = Pick(parse, _lrStep, b.LrStepEpochs),
            LrGamma = Pick(parse, _lrGamma, b.LrGamma),
            CosineFinal = Pick(parse, _cosineFinal, b.CosineFinal),
            MonitorPairs = Pick(parse, _monitorPairs, b.MonitorPairs),
            Augment = parse.GetValue(_augment) || b.Augment,
            AugmentShift = Pick(parse, _augmentShift, b.AugmentShift),
            AugmentRotation = Pick(parse, _augmentRotation, b.AugmentRotation),
            AugmentMinScale = Pick(parse, _augmentMinScale, b.AugmentMinScale),
            AugmentMaxScale = Pick(parse, _augmentMaxScale, b.AugmentMaxScale),
            Patience = Pick(parse, _patience, b.Patience),
            ClipNorm = Pick(parse, _clipNorm, b.ClipNorm),
            Epochs = Pick(parse, _epochs, b.Epochs),
            Batch = Pick(parse, _batch, b.Batch),
            PairsPerEpoch = Pick(parse, _pairsPerEpoch, b.PairsPerEpoch),
            Validation = Pick(parse, _validation, b.Validation),
            Eps = Pick(parse, _eps, b.Eps),
            Seed = parse.GetValue(_seed),
            Accelerator = parse.GetValue(_accelerator),
            DataDir = parse.GetValue(_data),
            RunsDir = parse.GetValue(_runs)!,
            Quiet = parse.GetValue(_quiet),
            PositivesPerDigit = parse.GetValue(_positives),
            NegativesPerPair = parse.GetValue(_negatives),
            Resume = parse.GetValue(_resume),
            Preset = preset,
            OneShotWays = parse.GetValue(_oneShotWays),
            OneShotTrials = parse.GetValue(_oneShotTrials),
            GalleryPerDigit = parse.GetValue(_galleryPerDigit),
        };
    }

    /// <summary>
    /// In a validator: the value given on the command line, else <paramref name="fallback"/> (a command's validator sees
    /// options that were not given as default(T), not as their default value); false when the given value failed to parse.
    /// </summary>
    static bool Resolve<T>(CommandResult result, Option<T> option, T fallback, out T value)
    {
        if (result.GetResult(option) is { Implicit: false }) return OptionFactory.TryGet(result, option, out value);
        value = fallback;
        return true;
    }

    /// <summary>The value given on the command line, else <paramref name="fallback"/> (the preset's or the default).</summary>
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

    /// <summary>The widths of a network spelled as widths; for a layer list, each layer's output size.</summary>
    static int[] DenseWidths(string spec) => Model.NetworkSpec.Parse(spec).Widths.ToArray();

    /// <summary>The layer list as given, or null when <paramref name="spec"/> only lists dense widths.</summary>
    static string? LayerListOf(string spec) => Model.NetworkSpec.Parse(spec).LayerList;

    static T Pick<T>(ParseResult parse, Option<T> option, T fallback) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
}
