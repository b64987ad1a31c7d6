using System.Globalization;

namespace GpuSiamese.Model.Settings;

/// <summary>
/// One refused combination of training settings, written once: the flag it is reported against, the test, the sentence
/// the command line prints (it reports every refused combination at once, with the values given) and the message
/// <see cref="TrainingConfig.Validate"/> throws (<see cref="ModelMessage"/>). A combination without a Model message is
/// one the Model would run (it ignores --nesterov for Adam and RMSprop; an epoch shorter than a batch is one short
/// batch): only the command line refuses it, as a likely mistake, and a saved configuration holding it still loads.
/// </summary>
public sealed record SettingCombination(string Flag, Func<TrainingConfig, bool> IsRefused, Func<TrainingConfig, string> Sentence,
    Func<TrainingConfig, string>? ModelMessage)
{
    /// <summary>True when only the command line refuses the combination (see the type's summary).</summary>
    public bool ModelRunsIt => ModelMessage is null;

    /// <summary>The error <see cref="TrainingConfig.Validate"/> throws for <paramref name="config"/>: the message, <see cref="Flag"/> as the parameter.</summary>
    public ArgumentException ToException(TrainingConfig config) =>
        new((ModelMessage ?? throw new InvalidOperationException($"the Model runs this {Flag} combination"))(config), Flag);
}

/// <summary>Every combination of training settings that is refused: the command line and <see cref="TrainingConfig.Validate"/> both read this list.</summary>
public static class SettingCombinations
{
    /// <summary>
    /// The network does not read the input --input-size and --channels give: a widths network's first width must be
    /// C·N·N, a layer list's input shape must be CxNxN. (The command line makes the network follow the input when
    /// --layers is not given, so it reports this only for a --layers given.)
    /// </summary>
    public static SettingCombination InputMismatch { get; } = new("--layers", c => InputMismatchMessage(c) is not null,
        c => InputMismatchMessage(c)!, c => InputMismatchMessage(c)!);

    public static IReadOnlyList<SettingCombination> All { get; } =
    [
        new("--pairs-per-epoch", c => c.PairsPerEpoch < c.BatchPairs,
            c => $"--pairs-per-epoch ({c.PairsPerEpoch}) must be at least --batch ({c.BatchPairs})", null),
        new("--augment-max-scale", c => c.AugmentMaxScale < c.AugmentMinScale,
            c => $"--augment-max-scale ({N(c.AugmentMaxScale)}) must be at least --augment-min-scale ({N(c.AugmentMinScale)})",
            c => MustBe("--augment-max-scale", $"a finite scale at least --augment-min-scale ({Invariant(c.AugmentMinScale)})", Invariant(c.AugmentMaxScale))),
        new("--nesterov", c => c.Nesterov && c.Optimizer != OptimizerKind.Sgd,
            _ => "--nesterov applies to --optimizer sgd only", null),
        new("--nesterov", c => c.Nesterov && c.Optimizer == OptimizerKind.Sgd && c.Momentum == 0,
            _ => "--nesterov needs --momentum above 0",
            c => MustBe("--nesterov", "a momentum above 0", Invariant(c.Momentum))),
        new("--mining", c => c.Mining != TripletMining.None && c.Loss != LossKind.Triplet,
            _ => "--mining batch-hard applies to --loss triplet only",
            _ => MustBe("--mining", "none unless --loss is triplet", "batch-hard")),
        InputMismatch,
    ];

    static string? InputMismatchMessage(TrainingConfig c)
    {
        var want = c.InputShape;
        bool fits = c.Network.LayerList is null ? c.Network.Input.Size == want.Size : c.Network.Input == want;
        return fits ? null
            : $"--layers reads {c.Network.Input} ({c.Network.Input.Size} values) but --input-size {c.InputSize} --channels {c.Channels} give {want} ({want.Size} values); " +
              "leave --layers out to have the network follow the input, or start it with the input's shape";
    }

    /// <summary>The Model's wording: "FLAG must be EXPECTED, got GOT".</summary>
    static string MustBe(string flag, string expected, string got) => $"{flag} must be {expected}, got {got}";

    static string N(double value) => SettingFormats.FormatNumber(value);

    static string Invariant(double value) => Convert.ToString(value, CultureInfo.InvariantCulture);
}
