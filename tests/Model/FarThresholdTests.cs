using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

/// <summary>--far: the threshold chosen on the validation monitor pairs at a false-accept rate; training itself unchanged.</summary>
public class FarThresholdTests
{
    [Test]
    public void The_far_threshold_grows_with_the_rate_and_leaves_the_parameters_alone()
    {
        var config = TrainerTests.Small with { Epochs = 1 };
        double Threshold(double far, out float[] parameters)
        {
            using var trainer = TrainerTests.Create(config with { Far = far });
            trainer.Train();
            parameters = trainer.Network.DownloadParameters();
            return trainer.Threshold;
        }
        double strict = Threshold(0.02, out var a), loose = Threshold(0.5, out var b), youden = Threshold(0, out var c);
        Assert.That(strict, Is.LessThanOrEqualTo(loose));
        Assert.That(strict, Is.Not.EqualTo(loose), "2% and 50% of different pairs accepted cannot share a threshold here");
        Assert.That(double.IsFinite(youden), Is.True);
        Assert.That(a, Is.EqualTo(b).And.EqualTo(c), "the threshold rule does not touch training");
        Assert.That((config with { Far = 0.02 }).ThresholdRule, Is.EqualTo("validation split, FAR 0.02"));
    }

    [Test]
    public void A_rate_the_monitor_pairs_cannot_measure_is_refused_naming_the_way_out()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainerTests.Create(TrainerTests.Small with { Far = 0.001 }).Dispose())!;
        Assert.That(e.Message, Does.Contain("--far 0.001 needs at least 1,000 different-class validation pairs").And.Contain("--monitor-pairs"));
    }
}
