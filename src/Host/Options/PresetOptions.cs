using System.CommandLine;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Host.Options;

/// <summary>
/// <c>--preset NAME</c>: a named configuration from <see cref="TrainingPresets"/> that replaces the exercise's defaults;
/// options given explicitly on the command line still win over it.
/// </summary>
public static class PresetOptions
{
    public static Option<string> Create()
    {
        string names = string.Join('|', TrainingPresets.All.Select(p => p.Name));
        var option = new Option<string>("--preset")
        {
            Description = "Start from a named configuration instead of the exercise's (options given explicitly still override it): "
                + string.Join("; ", TrainingPresets.All.Select(p => $"{p.Name} = {p.Summary}")),
            HelpName = names,
        };
        option.CustomParser = result =>
        {
            string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            var preset = TrainingPresets.All.FirstOrDefault(p => string.Equals(p.Name, token, StringComparison.OrdinalIgnoreCase));
            if (preset is not null) return preset.Name;
            result.AddError($"--preset expects one of {names}, got '{token}'");
            return null;
        };
        return option;
    }

    /// <summary>
    /// <paramref name="defaults"/> with every training hyper-parameter taken from the preset's configuration (the
    /// inverse of the host's mapping onto <see cref="TrainingConfig"/>); run settings (seed, device, folders) stay.
    /// </summary>
    public static TrainOptions Apply(TrainOptions defaults, TrainingPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var c = preset.Config;
        return defaults with
        {
            Layers = c.Network.Widths.ToArray(),
            ReluOutput = c.Network.ReluOnOutput,
            Loss = c.Loss switch
            {
                PairLossKind.ContrastiveMargin => LossChoice.Margin,
                PairLossKind.Triplet => LossChoice.Triplet,
                _ => LossChoice.Contrastive,
            },
            Q = c.Q,
            Margin = c.Margin,
            TripletMargin = c.TripletMargin,
            Mining = c.Mining == TripletMining.BatchHard ? MiningChoice.BatchHard : MiningChoice.None,
            MiningWarmup = c.MiningWarmupEpochs,
            Dropout = c.Dropout,
            Optimizer = c.Optimizer switch
            {
                OptimizerKind.RmsProp => OptimizerChoice.RmsProp,
                OptimizerKind.Sgd => OptimizerChoice.Sgd,
                _ => OptimizerChoice.Adam,
            },
            LearningRate = c.LearningRate,
            Beta1 = c.Beta1,
            Beta2 = c.Beta2,
            AdamEps = c.OptimizerEpsilon,
            Rho = c.Rho,
            Momentum = c.Momentum,
            Nesterov = c.Nesterov,
            LrSchedule = c.Schedule switch
            {
                LearningRateSchedule.Step => LrScheduleChoice.Step,
                LearningRateSchedule.Cosine => LrScheduleChoice.Cosine,
                _ => LrScheduleChoice.None,
            },
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
            Epochs = c.Epochs,
            Batch = c.BatchPairs,
            PairsPerEpoch = c.PairsPerEpoch,
            Validation = c.ValidationFraction,
            Eps = c.DistanceEpsilon,
        };
    }
}
