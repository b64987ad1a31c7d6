using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class RetrievalTests
{
    /// <summary>The definitions computed the plain way: every other image sorted by (distance, index), metrics by their formulas.</summary>
    static RetrievalMetrics BruteForce(float[] embeddings, int dim, int[] labels, double eps)
    {
        int n = labels.Length, queries = 0;
        double p1 = 0, rp = 0, map = 0;
        for (int q = 0; q < n; q++)
        {
            int r = labels.Count(l => l == labels[q]) - 1;
            if (r == 0) continue;
            queries++;
            var ranked = Enumerable.Range(0, n).Where(j => j != q)
                .OrderBy(j => EmbeddingDistance.Between(embeddings, dim, q, j, eps)).ThenBy(j => j).ToArray();
            p1 += labels[ranked[0]] == labels[q] ? 1 : 0;
            rp += ranked.Take(r).Count(j => labels[j] == labels[q]) / (double)r;
            double sum = 0;
            for (int i = 1; i <= r; i++)
                if (labels[ranked[i - 1]] == labels[q])
                    sum += ranked.Take(i).Count(j => labels[j] == labels[q]) / (double)i;
            map += sum / r;
        }
        return new RetrievalMetrics(queries, p1 / queries, rp / queries, map / queries);
    }

    static void AssertClose(RetrievalMetrics actual, RetrievalMetrics expected)
    {
        Assert.That(actual.Queries, Is.EqualTo(expected.Queries));
        Assert.That(actual.PrecisionAt1, Is.EqualTo(expected.PrecisionAt1).Within(1e-12));
        Assert.That(actual.RPrecision, Is.EqualTo(expected.RPrecision).Within(1e-12));
        Assert.That(actual.MapAtR, Is.EqualTo(expected.MapAtR).Within(1e-12));
    }

    [TestCase(1, 40, 3, 5)]
    [TestCase(2, 97, 8, 13)]
    [TestCase(3, 150, 2, 4)]
    public void MatchesTheBruteForceDefinitions(int seed, int n, int dim, int classes)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(classes)).ToArray();
        // Class centres plus noise, rounded to a coarse grid so that equal distances (ties) occur.
        var embeddings = new float[n * dim];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dim; k++)
                embeddings[i * dim + k] = MathF.Round((labels[i] * (k + 1) % 3) + (float)random.NextDouble() * 2f, 0);
        AssertClose(Retrieval.Evaluate(embeddings, dim, labels, 1e-7), BruteForce(embeddings, dim, labels, 1e-7));
    }

    [Test]
    public void AHandWorkedExample()
    {
        // One dimension: class 0 at 0, 1, 5; class 1 at 2, 3. From 0: others by distance 1(0) 2(1) 3(1) 5(0); R = 2.
        float[] e = [0, 1, 5, 2, 3];
        int[] labels = [0, 0, 0, 1, 1];
        var m = Retrieval.Evaluate(e, 1, labels, 0);
        // Query 0 (x=0): top 2 = {1:same, 2:diff} → P@1 1, RP 1/2, MAP (1/1)/2 = 0.5
        // Query 1 (x=1): 0 (d1, same), 2 (d1, diff; index 3 ties with 0 but 0 < 3) → 1, 1/2, 0.5
        // Query 2 (x=5): 3 (d2 diff), 2 (d3 diff), → 0, 0, 0
        // Query 3 (x=2): 1 (d1 diff), 4 (d1 same) R=1 → 0, 0, 0
        // Query 4 (x=3): 3 (d1 same) → 1, 1, 1
        Assert.That(m.Queries, Is.EqualTo(5));
        Assert.That(m.PrecisionAt1, Is.EqualTo(3 / 5.0).Within(1e-12));
        Assert.That(m.RPrecision, Is.EqualTo((0.5 + 0.5 + 0 + 0 + 1) / 5).Within(1e-12));
        Assert.That(m.MapAtR, Is.EqualTo((0.5 + 0.5 + 0 + 0 + 1) / 5).Within(1e-12));
    }

    [Test]
    public void SingletonClassesAreNotQueriesButStillCompete()
    {
        float[] e = [0, 10, 0.5f, 1];
        int[] labels = [0, 0, 1, 2];
        var m = Retrieval.Evaluate(e, 1, labels, 0);
        Assert.That(m.Queries, Is.EqualTo(2));
        Assert.That(m.PrecisionAt1, Is.EqualTo(0), "the singleton at 0.5 is nearer to 0 than its class mate");
        AssertClose(Retrieval.Evaluate(e, 1, labels, 0, [0, 1, 3]), BruteForce([0, 10, 1], 1, [0, 0, 2], 0));
    }

    [Test]
    public void NoQueriesGiveNotANumber() =>
        Assert.That(Retrieval.Evaluate([1, 2], 1, [0, 1], 0).PrecisionAt1, Is.NaN);

    [Test]
    public void DistancesFromOneImageAreBetweensBitForBit([Values(1, 2, 7, 13, 37, 600, 1031)] int n, [Values(1, 3, 10, 32)] int dim)
    {
        var random = new Random(n * 100 + dim);
        var embeddings = Enumerable.Range(0, n * dim).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        if (n > 2) embeddings.AsSpan(0, dim).CopyTo(embeddings.AsSpan(dim)); // two equal images: the eps floor
        var transposed = Retrieval.Transpose(embeddings, n, dim);
        var distances = new double[n];
        foreach (int q in new[] { 0, n / 2, n - 1 })
        {
            distances.AsSpan().Fill(double.NaN);
            Retrieval.DistancesFrom(transposed, n, dim, q, 1e-7, distances);
            for (int j = 0; j < n; j++)
                Assert.That(BitConverter.DoubleToInt64Bits(distances[j]),
                    Is.EqualTo(BitConverter.DoubleToInt64Bits(EmbeddingDistance.Between(embeddings, dim, q, j, 1e-7))), $"q {q}, j {j}");
        }
    }
}
