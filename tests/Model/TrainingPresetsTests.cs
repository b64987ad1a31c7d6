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
        Assert.That(e!.Message, Does.StartWith("--preset expects one of best, cnn, fashion, residual, fashion-residual, resnet18, got 'fastest'"));
    }

    [Test]
    public void The_residual_preset_is_small_and_says_its_size()
    {
        var c = TrainingPresets.Residual.Config;
        // Stem 288 + 64; r32: two 32-channel 3x3 convolutions and two norms; r64s2: 32->64 and 64->64 convolutions, a 1x1
        // projection 32->64, two norms; the final norm; dense 1024->128 (the 7x7 pooled to 4x4 by the stride), its norm, 128->32.
        long expected = 288 + 64 + (64 + 9216 + 64 + 9216) + (64 + 18432 + 128 + 36864 + 2048) + 128 + 131200 + 256 + 4128;
        Assert.That(c.Network.ParameterCount, Is.EqualTo(expected));
        Assert.That(TrainingPresets.Residual.Summary, Does.Contain($"{expected:N0} parameters"));
        Assert.That(c.Network.Layers.OfType<GpuSiamese.Model.Layers.AddLayer>().Count(), Is.EqualTo(2));
    }

    [Test]
    public void ResNet18_takes_images_and_refuses_vectors()
    {
        var c = TrainingPresets.ResNet18Over(new GpuSiamese.Model.Layers.LayerShape(3, 64, 64));
        Assert.That(c, Is.EqualTo(NetworkSpec.Parse("3x64x64,c64k7s2l,p3s2p1,r64,r64,r128s2,r128,r256s2,r256,r512s2,r512,bn,relu,gap,128l,sigmoid")));
        Assert.That(c.ParameterCount, Is.EqualTo(11_240_448), "as counted layer by layer in NetworkSpecTests");
        var e = Assert.Throws<ArgumentException>(() => TrainingPresets.ResNet18Over(GpuSiamese.Model.Layers.LayerShape.Vector(196)));
        Assert.That(e!.Message, Does.StartWith("ResNet-18 needs an image input, got 196"));
    }
}
