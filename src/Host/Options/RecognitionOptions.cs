using System.CommandLine;

namespace GpuSiamese.Host.Options;

/// <summary>
/// The options of the two recognition protocols run on the test split after training and in <c>eval</c>:
/// one-shot N-way trials (Koch et al. 2015) and identification against a gallery with an "unknown" answer.
/// </summary>
public static class RecognitionOptions
{
    static readonly TrainOptions D = new();

    public static Option<int> Ways() =>
        Checked(OptionFactory.Int("--oneshot-ways", D.OneShotWays, 2, "One-shot trials: candidates of distinct digits per query, one of its own digit (N of N-way, 2 to 10)"),
            "--oneshot-ways", "a whole number from 2 to 10", v => v <= 10);

    public static Option<int> Trials() =>
        OptionFactory.Int("--oneshot-trials", D.OneShotTrials, 0, "One-shot trials on the test split, seeded by --seed (0 = none)");

    public static Option<int> GalleryPerDigit() =>
        OptionFactory.Int("--gallery-per-digit", D.GalleryPerDigit, 0,
            "Identification: gallery images per digit drawn from the training images; every test image is a probe (0 = none)");

    static Option<int> Checked(Option<int> option, string name, string expected, Func<int, bool> accept)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return;
            if (int.TryParse(result.Tokens[^1].Value, System.Globalization.CultureInfo.InvariantCulture, out int v) && !accept(v))
                result.AddError($"{name} expects {expected}, got '{result.Tokens[^1].Value}'");
        });
        return option;
    }
}
