using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class BatchHardMiningTests
{
    [Test]
    public void PicksTheFarthestPositiveAndTheNearestNegative()
    {
        // 1-D embeddings; digits 0 0 0 1 1 2.
        float[] emb = [0f, 1f, 5f, 2f, 0.5f, -0.4f];
        int[] digits = [0, 0, 0, 1, 1, 2];
        var positive = new int[3];
        var negative = new int[3];
        BatchHardMining.Select(emb, digits, 1, 3, positive, negative);
        Assert.That(positive, Is.EqualTo(new[] { 2, 2, 0 }));
        Assert.That(negative, Is.EqualTo(new[] { 5, 4, 3 }));
    }

    [Test]
    public void MatchesABruteForceSearch([Values(1, 10)] int dim)
    {
        var rng = new Random(dim);
        const int rows = 60, anchors = 20;
        var emb = Enumerable.Range(0, rows * dim).Select(_ => (float)rng.NextDouble()).ToArray();
        var digits = Enumerable.Range(0, rows).Select(i => i < 20 ? i % 10 : rng.Next(10)).ToArray();
        var positive = new int[anchors];
        var negative = new int[anchors];
        BatchHardMining.Select(emb, digits, dim, anchors, positive, negative);
        double D(int x, int y) => Math.Sqrt(Enumerable.Range(0, dim).Sum(k => Math.Pow(emb[x * dim + k] - emb[y * dim + k], 2)));
        for (int a = 0; a < anchors; a++)
        {
            var same = Enumerable.Range(0, rows).Where(j => j != a && digits[j] == digits[a]).ToArray();
            var other = Enumerable.Range(0, rows).Where(j => digits[j] != digits[a]).ToArray();
            Assert.That(digits[positive[a]], Is.EqualTo(digits[a]));
            Assert.That(positive[a], Is.Not.EqualTo(a));
            Assert.That(digits[negative[a]], Is.Not.EqualTo(digits[a]));
            Assert.That(D(a, positive[a]), Is.EqualTo(same.Max(j => D(a, j))).Within(1e-9));
            Assert.That(D(a, negative[a]), Is.EqualTo(other.Min(j => D(a, j))).Within(1e-9));
        }
    }

    [Test]
    public void AnAnchorWithoutAPositiveIsAnError()
    {
        Assert.That(() => BatchHardMining.Select([0f, 1f], [3, 4], 1, 1, new int[1], new int[1]),
            Throws.ArgumentException.With.Message.Contains("no other row of its digit"));
    }
}
