using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// Every hyper-parameter of a training run; the defaults are the exercise's: 196-200-10 with ReLU on both
/// layers, bounded contrastive loss Q = 5, Adam lr 0.01 (β1 0.9, β2 0.999, eps 1e-7), 5 epochs of 60,000
/// pairs in batches of 64, distance eps 1e-7, 10% of the training images held out for validation.
/// </summary>
public sealed record TrainingConfig
{
    public NetworkConfig Network { get; init; } = NetworkConfig.Default;

    public PairLossKind Loss { get; init; } = PairLossKind.ContrastiveBounded;

    /// <summary>Bound Q of the bounded contrastive loss.</summary>
    public double Q { get; init; } = 5.0;

    /// <summary>Margin m of the margin contrastive loss.</summary>
    public double Margin { get; init; } = 1.0;

    /// <summary>Margin m of the triplet loss max(d(a,p) − d(a,n) + m, 0).</summary>
    public double TripletMargin { get; init; } = 1.0;

    /// <summary>Which triplets a triplet-loss batch trains on (the loss must be <see cref="PairLossKind.Triplet"/> for anything but None).</summary>
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
    /// Augment every training image of every step (random shift, rotation and scale of the 28x28 original
    /// before pooling, drawn from the run's generator); the batch's pixels are then uploaded instead of gathered.
    /// </summary>
    public bool Augment { get; init; }

    /// <summary>Largest shift in 28x28 pixels, each axis.</summary>
    public double AugmentShift { get; init; } = 2;

    /// <summary>Largest rotation in degrees, either way.</summary>
    public double AugmentRotation { get; init; } = 15;

    public double AugmentMinScale { get; init; } = 0.9;

    public double AugmentMaxScale { get; init; } = 1.1;

    /// <summary>Stop after this many epochs without a better validation AUC; 0 = run every epoch.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Pairs in each of the fixed, balanced per-epoch accuracy sets (validation and train subset).</summary>
    public int MonitorPairs { get; init; } = 4_000;

    /// <summary>The parameter of <see cref="Loss"/>: Q, m or the triplet margin.</summary>
    public double LossParameter => Loss switch
    {
        PairLossKind.ContrastiveBounded => Q,
        PairLossKind.Triplet => TripletMargin,
        _ => Margin,
    };

    /// <summary>Steps in one epoch: ⌈PairsPerEpoch / BatchPairs⌉.</summary>
    public int StepsPerEpoch => (PairsPerEpoch + BatchPairs - 1) / BatchPairs;

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> whose message names the option (as the command line spells it)
    /// and the range it expects.
    /// </summary>
    public void Validate()
    {
        if (Network is null) throw new ArgumentException("--layers must be given", nameof(Network));
        if (!Enum.IsDefined(Loss)) throw Bad("--loss", "contrastive, margin or triplet", Loss.ToString());
        Positive("--q", Q);
        Positive("--margin", Margin);
        Positive("--triplet-margin", TripletMargin);
        if (!Enum.IsDefined(Mining)) throw Bad("--mining", "none or batch-hard", Mining.ToString());
        if (Mining != TripletMining.None && Loss != PairLossKind.Triplet) throw Bad("--mining", "none unless --loss is triplet", "batch-hard");
        if (MiningWarmupEpochs < 0) throw Bad("--mining-warmup", "0 or a number of epochs", MiningWarmupEpochs);
        if (!double.IsFinite(Dropout) || Dropout < 0 || Dropout >= 1) throw Bad("--dropout", "a probability in [0, 1)", Dropout);
        if (!Enum.IsDefined(Optimizer)) throw Bad("--optimizer", "adam, rmsprop or sgd", Optimizer.ToString());
        Positive("--lr", LearningRate);
        UnitHalfOpen("--beta1", Beta1);
        UnitHalfOpen("--beta2", Beta2);
        Positive("--adam-eps", OptimizerEpsilon);
        UnitHalfOpen("--rho", Rho);
        if (!double.IsFinite(Momentum) || Momentum < 0 || Momentum >= 1) throw Bad("--momentum", "a number in [0, 1)", Momentum);
        if (Nesterov && Optimizer == OptimizerKind.Sgd && Momentum == 0) throw Bad("--nesterov", "a momentum above 0", Momentum);
        if (Epochs < 1) throw Bad("--epochs", "at least 1", Epochs);
        if (BatchPairs < 1) throw Bad("--batch", "at least 1", BatchPairs);
        if (BatchPairs > 1 << 20) throw Bad("--batch", "at most 1048576", BatchPairs);
        if (PairsPerEpoch < 1) throw Bad("--pairs-per-epoch", "at least 1", PairsPerEpoch);
        Positive("--eps", DistanceEpsilon);
        if (!double.IsFinite(ValidationFraction) || ValidationFraction <= 0 || ValidationFraction >= 1)
            throw Bad("--validation", "a fraction in (0, 1)", ValidationFraction);
        if (!Enum.IsDefined(Schedule)) throw Bad("--lr-schedule", "none, step or cosine", Schedule.ToString());
        if (StepEpochs < 1) throw Bad("--lr-step-epochs", "at least 1", StepEpochs);
        if (!double.IsFinite(StepGamma) || StepGamma <= 0 || StepGamma > 1) throw Bad("--lr-gamma", "a factor in (0, 1]", StepGamma);
        if (!double.IsFinite(CosineFinalFraction) || CosineFinalFraction < 0 || CosineFinalFraction > 1)
            throw Bad("--cosine-final", "a fraction in [0, 1]", CosineFinalFraction);
        if (!double.IsFinite(ClipNorm) || ClipNorm < 0) throw Bad("--clip-norm", "0 (off) or a positive norm", ClipNorm);
        if (MonitorPairs < 20) throw Bad("--monitor-pairs", "at least 20", MonitorPairs);
        if (!double.IsFinite(AugmentShift) || AugmentShift < 0 || AugmentShift > 28) throw Bad("--augment-shift", "0 to 28 pixels", AugmentShift);
        if (!double.IsFinite(AugmentRotation) || AugmentRotation < 0 || AugmentRotation > 180) throw Bad("--augment-rotation", "0 to 180 degrees", AugmentRotation);
        Positive("--augment-min-scale", AugmentMinScale);
        if (!double.IsFinite(AugmentMaxScale) || AugmentMaxScale < AugmentMinScale)
            throw Bad("--augment-max-scale", $"a finite scale at least --augment-min-scale ({AugmentMinScale})", AugmentMaxScale);
        if (EarlyStoppingPatience < 0) throw Bad("--patience", "0 (off) or a number of epochs", EarlyStoppingPatience);
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

    void Positive(string option, double value)
    {
        if (!double.IsFinite(value) || value <= 0) throw Bad(option, "a finite number above 0", value);
    }

    // A decay of 0 is legitimate (no averaging: Adam's bias correction 1 − 0^t is 1), so the range is [0, 1) as the CLI says.
    void UnitHalfOpen(string option, double value)
    {
        if (!double.IsFinite(value) || value < 0 || value >= 1) throw Bad(option, "a number in [0, 1)", value);
    }

    static ArgumentException Bad(string option, string expected, object got) =>
        new($"{option} must be {expected}, got {Convert.ToString(got, System.Globalization.CultureInfo.InvariantCulture)}", option);
}
