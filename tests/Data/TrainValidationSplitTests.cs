using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class TrainValidationSplitTests
{
    [Test]
    public void HoldsOutTheFractionOfEachDigitDisjointly()
    {
        var set = SyntheticSets.WithCounts(100, 55, 10, 3, 0, 200, 41, 1, 99, 77);
        var (train, validation) = TrainValidationSplit.Create(set, 0.1, new Rng(3));
        var counts = set.CountsPerClass();
        var held = validation.CountsPerClass();
        for (int d = 0; d < 10; d++)
        {
            // round(n·0.1), except that a class which would give validation one image gives two when it has four or more
            // (10 images: 2, not 1; 3 images: 0; 1 image: 0).
            int rounded = (int)Math.Round(counts[d] * 0.1, MidpointRounding.ToEven);
            Assert.That(held[d], Is.EqualTo(rounded == 1 && counts[d] >= 4 ? 2 : rounded), $"digit {d}");
            Assert.That(train.CountsPerClass()[d], Is.EqualTo(counts[d] - held[d]));
        }
        var trainIds = Enumerable.Range(0, train.Count).Select(i => SyntheticSets.Id(train, i)).ToList();
        var validationIds = Enumerable.Range(0, validation.Count).Select(i => SyntheticSets.Id(validation, i)).ToList();
        Assert.That(trainIds.Concat(validationIds).Order(), Is.EqualTo(Enumerable.Range(0, set.Count)));
        Assert.That(trainIds, Is.Ordered);
        for (int i = 0; i < validation.Count; i++)
            Assert.That(validation.Labels[i], Is.EqualTo(set.Labels[validationIds[i]]));
    }

    [Test]
    public void SeededAndFractionChecked()
    {
        var set = SyntheticSets.Uniform(50);
        var a = TrainValidationSplit.Create(set, 0.2, new Rng(1)).Validation;
        var b = TrainValidationSplit.Create(set, 0.2, new Rng(1)).Validation;
        var c = TrainValidationSplit.Create(set, 0.2, new Rng(2)).Validation;
        Assert.That(b.Pixels, Is.EqualTo(a.Pixels));
        Assert.That(c.Pixels, Is.Not.EqualTo(a.Pixels));
        Assert.That(TrainValidationSplit.Create(set, 0, new Rng(1)).Validation.Count, Is.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainValidationSplit.Create(set, 1, new Rng(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainValidationSplit.Create(set, double.NaN, new Rng(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainValidationSplit.Create(set, -0.1, new Rng(1)));
    }
}
