using GpuSiamese.Data;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class ClassSetEvaluationTests
{
    /// <summary>Embeddings near class centres on a circle of radius 10, noise ±<paramref name="noise"/>.</summary>
    static (float[] Embeddings, int[] Labels) Clusters(int classes, int perClass, double noise, int seed)
    {
        var random = new Random(seed);
        var e = new List<float>();
        var labels = new List<int>();
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
            {
                double angle = 2 * Math.PI * c / classes;
                e.Add((float)(10 * Math.Cos(angle) + noise * (random.NextDouble() - 0.5)));
                e.Add((float)(10 * Math.Sin(angle) + noise * (random.NextDouble() - 0.5)));
                labels.Add(c);
            }
        return (e.ToArray(), labels.ToArray());
    }

    [Test]
    public void OneShotOverTenClassListsIsTheDigitVersionDrawForDraw()
    {
        var set = SyntheticDigits.Create(perDigit: 6, seed: 21, noise: 0.2);
        using var backend = new ReferenceBackend();
        var config = new NetworkConfig([196, 5, 3]);
        var theta = Enumerable.Range(0, config.ParameterCount).Select(i => (float)Math.Sin(i)).ToArray();
        using var net = new Network(backend, config, theta);
        using var evaluator = new Evaluator(net);
        var digits = OneShot.Evaluate(evaluator, set, 7, 200, new Rng(4));
        var classes = OneShot.Evaluate(evaluator.Embed(set), 3, set.IndicesByClass(), 7, 200, new Rng(4), evaluator.DistanceEpsilon);
        Assert.That(classes, Is.EqualTo(digits));
    }

    [Test]
    public void SeparatedClustersScorePerfectlyAndMixedOnesNear()
    {
        var (e, labels) = Clusters(30, 5, 0.1, 1);
        var m = ClassSetEvaluation.Evaluate(e, 2, labels, 30, 20, 100, new Rng(1), 1e-7);
        Assert.That(m.Classes, Is.EqualTo(30));
        Assert.That(m.Verification!.Auc, Is.EqualTo(1.0));
        Assert.That(m.OneShot!.Accuracy, Is.EqualTo(1.0));
        Assert.That(m.OneShot.Ways, Is.EqualTo(20));
        Assert.That((m.Retrieval.PrecisionAt1, m.Retrieval.MapAtR), Is.EqualTo((1.0, 1.0)));
        Assert.That(m.PairProtocol, Does.Contain("10 positive pairs for each of 30 classes"));

        var (mixed, mixedLabels) = Clusters(3, 40, 40, 2);
        var r = ClassSetEvaluation.Evaluate(mixed, 2, mixedLabels, 3, 10, 300, new Rng(1), 1e-7);
        Assert.That(r.Verification!.Auc, Is.InRange(0.3, 0.8), "noise far larger than the class spacing");
        Assert.That(r.OneShot!.Ways, Is.EqualTo(3), "ways lowered to the classes present");
    }

    [Test]
    public void UnseenIdentificationDrawsItsGalleryFromTheGivenClassesOnly()
    {
        var (e, labels) = Clusters(6, 4, 0.1, 3);
        var byClass = ClassIndex.Group(labels, 6);
        var r = Identification.Evaluate(e, 2, byClass, [1, 4], 1, 1.0, new Rng(2), 1e-7);
        Assert.That(r.Probes, Is.EqualTo(6), "three probes for each of the two classes");
        Assert.That((r.Accuracy, r.UnknownRate), Is.EqualTo((1.0, 0.0)));
        var strict = Identification.Evaluate(e, 2, byClass, [1, 4], 1, 1e-3, new Rng(2), 1e-7);
        Assert.That(strict.UnknownRate, Is.EqualTo(1.0), "every probe beyond a tiny threshold is unknown");
        Assert.That(() => Identification.Evaluate(e, 2, byClass, [1], 4, 1.0, new Rng(2), 1e-7), Throws.ArgumentException.With.Message.Contains("need 5 images"));
    }

    [Test]
    public void PcaFindsTheAxesOfLargestSpread()
    {
        var random = new Random(5);
        var e = new List<float>();
        for (int i = 0; i < 200; i++)
        {
            double a = 5 * (random.NextDouble() - 0.5), b = 1 * (random.NextDouble() - 0.5), c = 0.01 * (random.NextDouble() - 0.5);
            // Axes rotated by 45° in the first two coordinates; the third is nearly constant.
            e.AddRange([(float)((a - b) / Math.Sqrt(2)), (float)((a + b) / Math.Sqrt(2)), (float)(3 + c)]);
        }
        var (x, y) = Pca.Project2(e.ToArray(), 3);
        double Variance(double[] v) => v.Select(t => t * t).Average() - Math.Pow(v.Average(), 2);
        Assert.That(x.Average(), Is.EqualTo(0).Within(1e-9));
        Assert.That(Variance(x), Is.GreaterThan(1.5).And.LessThan(2.6), "a's spread, 25/12");
        Assert.That(Variance(y), Is.GreaterThan(0.06).And.LessThan(0.11), "b's spread, 1/12");
        Assert.That(Pca.Project2(e.ToArray(), 3).X, Is.EqualTo(x), "reproducible");
    }

    [Test]
    public void ASingleClassHasNoVerificationButStillRetrieval()
    {
        // One held-out class: every pair is a same-class pair, so there is no ROC; retrieval finds only its own class.
        var (e, labels) = Clusters(1, 6, 0.1, 3);
        var m = ClassSetEvaluation.Evaluate(e, 2, labels, 1, 5, 50, new Rng(1), 1e-7);
        Assert.That(m.Verification, Is.Null);
        Assert.That(m.OneShot, Is.Null, "one-shot needs two classes");
        Assert.That(m.Retrieval.PrecisionAt1, Is.EqualTo(1.0));
    }
}
