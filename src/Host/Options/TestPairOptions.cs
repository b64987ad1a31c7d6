using System.CommandLine;
using System.CommandLine.Parsing;

namespace GpuSiamese.Host.Options;

/// <summary>
/// The sizes of the balanced test pair set, as <c>train</c> and <c>eval</c> both take them: fixed when both options
/// are given, otherwise scaled with the data (MNIST: 800 and 200, exactly the fixed defaults).
/// </summary>
public static class TestPairOptions
{
    public static Option<int> Positives() => OptionFactory.Int("--positives-per-digit", 800, 1,
        "Same-class test pairs per class (digit); unless both this and --negatives-per-pair are given, the sizes scale with the data: " +
        "8,000 positives spread over the classes, each class at most its distinct pairs (MNIST: 800)");

    public static Option<int> Negatives() => OptionFactory.Int("--negatives-per-pair", 200, 1,
        "Different-class test pairs per unordered class pair (scaled like --positives-per-digit: 9,000 spread over the class pairs; MNIST: 200)");

    /// <summary>Both sizes when both options were given on the command line, else (null, null): scale with the data.</summary>
    public static (int? Positives, int? Negatives) Sizes(CommandResult command, Option<int> positives, Option<int> negatives) =>
        command.GetResult(positives) is { Implicit: false } && command.GetResult(negatives) is { Implicit: false }
            ? (command.GetValue(positives), command.GetValue(negatives))
            : (null, null);
}
