using GpuSiamese.Data;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class IdentificationTests
{
    [Test]
    public void HandMadeEmbeddingsNearestOrUnknown()
    {
        // Gallery in 1-D: digit 0 at 0, digit 1 at 10. Probes at 1 (→0), 9 (→1), 5.5 (→1, 4.5 away), 0.5 labelled 1 (→0, wrong).
        float[] gallery = [0, 10];
        int[] galleryLabels = [0, 1];
        float[] probes = [1, 9, 5.5f, 0.5f];
        int[] probeLabels = [0, 1, 1, 1];
        Assert.That(Identification.Identify(gallery, galleryLabels, probes, probeLabels, 1, 100, 1e-7), Is.EqualTo((3, 0)));
        Assert.That(Identification.Identify(gallery, galleryLabels, probes, probeLabels, 1, 2, 1e-7), Is.EqualTo((2, 1)));
        Assert.That(Identification.Identify(gallery, galleryLabels, probes, probeLabels, 1, 0.1, 1e-7), Is.EqualTo((0, 4)));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(40)]
    public void NearestIsTheStableSortsFirstFew(int count)
    {
        // 1-D embeddings on a coarse grid: many equal distances, where the earlier gallery image must come first.
        var rng = new Random(12);
        var gallery = Enumerable.Range(0, 30).Select(_ => (float)rng.Next(0, 8)).ToArray();
        var labels = Enumerable.Range(0, 30).Select(g => g % 10).ToArray();
        foreach (float probe in new[] { 3f, 0f, 7.5f })
        {
            var expected = gallery.Select((e, g) => (Index: g, Distance: Math.Sqrt(Math.Max((double)(probe - e) * (probe - e), 1e-7))))
                .OrderBy(m => m.Distance).Take(count).ToArray();
            var nearest = Identification.Nearest(gallery, labels, [probe], count, 1e-7);
            Assert.That(nearest.Select(m => (m.GalleryIndex, m.Distance)), Is.EqualTo(expected), $"probe {probe}");
            Assert.That(nearest.Select(m => m.Digit), Is.EqualTo(expected.Select(m => labels[m.Index])));
        }
    }

    [Test]
    public void ThresholdTradesAnswersForUnknowns()
    {
        var set = SyntheticDigits.Create(perDigit: 8, seed: 4, noise: 0.2);
        var probes = SyntheticDigits.Create(perDigit: 5, seed: 6, noise: 0.2);
        using var backend = new ReferenceBackend();
        var config = new NetworkConfig([196, 196]);
        var theta = new float[config.ParameterCount];
        for (int i = 0; i < 196; i++) theta[i * 196 + i] = 1;
        using var net = new Network(backend, config, theta);
        using var evaluator = new Evaluator(net);
        var open = Identification.Evaluate(evaluator, set, probes, 3, double.PositiveInfinity, new Rng(1));
        Assert.That(open.UnknownRate, Is.EqualTo(0));
        Assert.That(open.Accuracy, Is.GreaterThan(0.95));
        Assert.That(open.AnsweredAccuracy, Is.EqualTo(open.Accuracy));
        var closed = Identification.Evaluate(evaluator, set, probes, 3, 0, new Rng(1));
        Assert.That(closed.UnknownRate, Is.EqualTo(1));
        Assert.That(closed.Accuracy, Is.EqualTo(0));
        Assert.That(double.IsNaN(closed.AnsweredAccuracy));
        Assert.That(() => Identification.Evaluate(evaluator, set, probes, 9, 1, new Rng(1)),
            Throws.ArgumentException.With.Message.Contains("gallery of 9 per digit"));
    }
}
