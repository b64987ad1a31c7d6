using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class TrainingPresetsTests
{
    [Test]
    public void Every_preset_is_a_valid_configuration_found_by_its_name_in_any_case()
    {
        foreach (var preset in TrainingPresets.All)
        {
            Assert.DoesNotThrow(() => preset.Config.Validate(), preset.Name);
            Assert.That(TrainingPresets.Find(preset.Name.ToUpperInvariant()), Is.SameAs(preset));
            Assert.That(preset.Summary, Is.Not.Empty);
        }
        Assert.That(TrainingPresets.All.Select(p => p.Name), Is.Unique);
    }

    [Test]
    public void The_best_preset_fits_the_exercise_budget_in_size()
    {
        // The whole search ran within 600 s and 2 GB; a preset that grew past this would not.
        var c = TrainingPresets.Best.Config;
        Assert.That(c.Network.ParameterCount, Is.LessThan(1_000_000));
        Assert.That((long)c.Epochs * c.PairsPerEpoch, Is.LessThanOrEqualTo(2_000_000));
    }

    [Test]
    public void An_unknown_name_names_the_option_and_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingPresets.Find("fastest"));
        Assert.That(e!.Message, Does.StartWith("--preset expects one of best, cnn, fashion, got 'fastest'"));
    }
}
