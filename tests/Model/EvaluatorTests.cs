using GpuSiamese.Data;
using GpuSiamese.Model;

namespace GpuSiamese.Tests.Model;

public class EvaluatorTests
{
    static readonly ImageSet Set = SyntheticDigits.Create(perDigit: 7, seed: 5);
    static readonly NetworkConfig Config = new([196, 8, 3], reluOnOutput: false);

    static Network CreateNetwork(ReferenceBackend backend) => Network.Create(backend, Config, new Rng(2));

    [Test]
    public void DistancesMatchTheDoubleChainAndDoNotDependOnTheChunkSize()
    {
        using var backend = new ReferenceBackend();
        using var net = CreateNetwork(backend);
        var pairs = BalancedPairSet.Create(Set, new Rng(8), 2, 1);
        using var big = new Evaluator(net, chunkPairs: 4096);
        using var small = new Evaluator(net, chunkPairs: 7);
        var a = big.Distances(Set, pairs);
        var b = small.Distances(Set, pairs);
        Assert.That(b, Is.EqualTo(a));

        var theta = Array.ConvertAll(net.DownloadParameters(), v => (double)v);
        var embeddings = Embeddings(theta, Set);
        for (int p = 0; p < pairs.Count; p++)
        {
            double s = 0;
            for (int k = 0; k < 3; k++)
            {
                double d = embeddings[pairs.Left[p] * 3 + k] - embeddings[pairs.Right[p] * 3 + k];
                s += d * d;
            }
            Assert.That(a[p], Is.EqualTo(Math.Sqrt(Math.Max(s, 1e-7))).Within(1e-5 + 1e-5 * a[p]), $"pair {p}");
        }
    }

    [Test]
    public void EmbeddingEachImageOnceGivesTheDistancesOfEveryPairThroughTheNetwork()
    {
        using var backend = new ReferenceBackend();
        using var net = CreateNetwork(backend);
        // Many pairs over few images: every image repeats, across chunk boundaries too.
        var pairs = BalancedPairSet.Create(Set, new Rng(10), 3, 2);
        Assert.That(pairs.Left.Concat(pairs.Right).Distinct().Count(), Is.LessThan(2 * pairs.Count));
        using var evaluator = new Evaluator(net, chunkPairs: 5);
        var once = evaluator.Distances(Set, pairs);
        evaluator.EmbedEachImageOnce = false;
        var perPair = evaluator.Distances(Set, pairs);
        Assert.That(once, Is.EqualTo(perPair).Within(1e-6f));
        Assert.That(once.Distinct().Count(), Is.GreaterThan(pairs.Count / 2), "distances differ from pair to pair");
    }

    [Test]
    public void ExplicitPairArraysGiveTheSameDistancesAsTheTable()
    {
        using var backend = new ReferenceBackend();
        using var net = CreateNetwork(backend);
        var pairs = BalancedPairSet.Create(Set, new Rng(9), 1, 1);
        var pixels = new float[pairs.Count * 2 * ImageSet.Size];
        for (int p = 0; p < pairs.Count; p++)
        {
            Set.Image(pairs.Left[p]).CopyTo(pixels.AsSpan(p * 2 * ImageSet.Size));
            Set.Image(pairs.Right[p]).CopyTo(pixels.AsSpan(p * 2 * ImageSet.Size + ImageSet.Size));
        }
        using var evaluator = new Evaluator(net, chunkPairs: 10);
        var fromArrays = evaluator.Distances(new PairArrays(pixels, pairs.Labels));
        Assert.That(fromArrays, Is.EqualTo(evaluator.Distances(Set, pairs)));
    }

    [Test]
    public void EmbeddingsMatchTheDoubleChainAcrossChunks()
    {
        using var backend = new ReferenceBackend();
        using var net = CreateNetwork(backend);
        using var evaluator = new Evaluator(net, chunkPairs: 4);
        var got = evaluator.Embed(Set);
        var expected = Embeddings(Array.ConvertAll(net.DownloadParameters(), v => (double)v), Set);
        Assert.That(got, Has.Length.EqualTo(Set.Count * 3));
        for (int i = 0; i < got.Length; i++)
            Assert.That(got[i], Is.EqualTo(expected[i]).Within(1e-5 + 1e-5 * Math.Abs(expected[i])), $"element {i}");
    }

    [Test]
    public void PairsOutsideTheTableAreRefused()
    {
        using var backend = new ReferenceBackend();
        using var net = CreateNetwork(backend);
        using var evaluator = new Evaluator(net);
        var bad = new PairSet([0], [Set.Count], [1]);
        Assert.That(() => evaluator.Distances(Set, bad), Throws.ArgumentException.With.Message.Contains("outside a table"));
    }

    /// <summary>G(x) per image in double precision (a batch of one "pair" is irrelevant: only the forward is used).</summary>
    static double[] Embeddings(double[] theta, ImageSet set)
    {
        var result = new double[set.Count * 3];
        for (int i = 0; i < set.Count; i++)
        {
            var x = set.Image(i).ToArray().Select(v => (double)v).ToArray();
            for (int l = 0; l < Config.LayerCount; l++)
            {
                int inW = Config.InWidth(l), outW = Config.OutWidth(l);
                var y = new double[outW];
                GpuSiamese.Kernels.Reference.Dense.Forward(x, theta.AsSpan(Config.WeightOffset(l), inW * outW).ToArray(),
                    theta.AsSpan(Config.BiasOffset(l), outW).ToArray(), y, 1, inW, outW, Config.ActivationOf(l));
                x = y;
            }
            x.CopyTo(result, i * 3);
        }
        return result;
    }
}
