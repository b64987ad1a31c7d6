using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Host.Options;

/// <summary>
/// The command line's training options and the Model's <see cref="TrainingConfig"/>, both ways, side by side: a new
/// option is mapped here in both directions, and each choice ↔ Model enum pairing is written once, as a table.
/// </summary>
public static class TrainingConfigMapping
{
    static readonly (LossChoice Choice, PairLossKind Model)[] Losses =
        [(LossChoice.Contrastive, PairLossKind.ContrastiveBounded), (LossChoice.Margin, PairLossKind.ContrastiveMargin),
         (LossChoice.Triplet, PairLossKind.Triplet)];
    static readonly (OptimizerChoice Choice, OptimizerKind Model)[] Optimizers =
        [(OptimizerChoice.Adam, OptimizerKind.Adam), (OptimizerChoice.RmsProp, OptimizerKind.RmsProp), (OptimizerChoice.Sgd, OptimizerKind.Sgd)];
    static readonly (LrScheduleChoice Choice, LearningRateSchedule Model)[] Schedules =
        [(LrScheduleChoice.None, LearningRateSchedule.None), (LrScheduleChoice.Step, LearningRateSchedule.Step),
         (LrScheduleChoice.Cosine, LearningRateSchedule.Cosine)];
    static readonly (MiningChoice Choice, TripletMining Model)[] Minings =
        [(MiningChoice.None, TripletMining.None), (MiningChoice.BatchHard, TripletMining.BatchHard)];

    /// <summary>The command line's options as the Model's training configuration.</summary>
    public static TrainingConfig ToConfig(TrainOptions o) => new()
    {
        Network = o.LayerList is { } list ? NetworkSpec.Parse(list, o.ReluOutput) : new NetworkConfig(o.Layers, o.ReluOutput),
        Loss = ToModel(Losses, o.Loss),
        Q = o.Q,
        Margin = o.Margin,
        TripletMargin = o.TripletMargin,
        Mining = ToModel(Minings, o.Mining),
        MiningWarmupEpochs = o.MiningWarmup,
        Dropout = o.Dropout,
        Optimizer = ToModel(Optimizers, o.Optimizer),
        LearningRate = o.LearningRate,
        Beta1 = o.Beta1,
        Beta2 = o.Beta2,
        OptimizerEpsilon = o.AdamEps,
        Rho = o.Rho,
        Momentum = o.Momentum,
        Nesterov = o.Nesterov,
        Epochs = o.Epochs,
        BatchPairs = o.Batch,
        PairsPerEpoch = o.PairsPerEpoch,
        DistanceEpsilon = o.Eps,
        ValidationFraction = o.Validation,
        Seed = o.Seed,
        Schedule = ToModel(Schedules, o.LrSchedule),
        StepEpochs = o.LrStepEpochs,
        StepGamma = o.LrGamma,
        CosineFinalFraction = o.CosineFinal,
        MonitorPairs = o.MonitorPairs,
        Augment = o.Augment,
        AugmentShift = o.AugmentShift,
        AugmentRotation = o.AugmentRotation,
        AugmentMinScale = o.AugmentMinScale,
        AugmentMaxScale = o.AugmentMaxScale,
        EarlyStoppingPatience = o.Patience,
        ClipNorm = o.ClipNorm,
    };

    /// <summary>
    /// <paramref name="run"/> with every training hyper-parameter taken from <paramref name="c"/> (the inverse of
    /// <see cref="ToConfig"/>); run settings — seed, device, folders, output — stay as they are.
    /// </summary>
    public static TrainOptions FromConfig(TrainOptions run, TrainingConfig c) => run with
    {
        Layers = c.Network.Widths.ToArray(),
        LayerList = c.Network.LayerList,
        ReluOutput = c.Network.ReluOnOutput,
        Loss = FromModel(Losses, c.Loss),
        Q = c.Q,
        Margin = c.Margin,
        TripletMargin = c.TripletMargin,
        Mining = FromModel(Minings, c.Mining),
        MiningWarmup = c.MiningWarmupEpochs,
        Dropout = c.Dropout,
        Optimizer = FromModel(Optimizers, c.Optimizer),
        LearningRate = c.LearningRate,
        Beta1 = c.Beta1,
        Beta2 = c.Beta2,
        AdamEps = c.OptimizerEpsilon,
        Rho = c.Rho,
        Momentum = c.Momentum,
        Nesterov = c.Nesterov,
        Epochs = c.Epochs,
        Batch = c.BatchPairs,
        PairsPerEpoch = c.PairsPerEpoch,
        Eps = c.DistanceEpsilon,
        Validation = c.ValidationFraction,
        LrSchedule = FromModel(Schedules, c.Schedule),
        LrStepEpochs = c.StepEpochs,
        LrGamma = c.StepGamma,
        CosineFinal = c.CosineFinalFraction,
        MonitorPairs = c.MonitorPairs,
        Augment = c.Augment,
        AugmentShift = c.AugmentShift,
        AugmentRotation = c.AugmentRotation,
        AugmentMinScale = c.AugmentMinScale,
        AugmentMaxScale = c.AugmentMaxScale,
        Patience = c.EarlyStoppingPatience,
        ClipNorm = c.ClipNorm,
    };

    static TModel ToModel<TChoice, TModel>((TChoice Choice, TModel Model)[] table, TChoice choice) where TChoice : struct, Enum =>
        table.First(p => p.Choice.Equals(choice)).Model;

    static TChoice FromModel<TChoice, TModel>((TChoice Choice, TModel Model)[] table, TModel model) where TModel : struct, Enum =>
        table.First(p => p.Model.Equals(model)).Choice;
}
