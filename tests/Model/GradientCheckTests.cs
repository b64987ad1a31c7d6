using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// The whole model's gradient: the reference backward chain against central differences
/// (L(θ+h) − L(θ−h)) / 2h in double precision, and the trainer's step on <see cref="ReferenceBackend"/>
/// against that chain.
/// </summary>
public class GradientCheckTests
{
    const double H = 1e-6;
    const double Eps = 1e-7;

    static IEnumerable<TestCaseData> Cases()
    {
        foreach (var widths in new[] { new[] { 196, 9, 4 }, new[] { 196, 7, 5, 3 } })
            foreach (bool reluOut in new[] { true, false })
                foreach (var (kind, param) in new[] { (LossKind.ContrastiveBounded, 5.0), (LossKind.ContrastiveMargin, 1.0) })
                    yield return new TestCaseData(widths, reluOut, kind, param)
                        .SetName($"{string.Join('-', widths)} relu-out={reluOut} {kind}");
    }

    /// <summary>
    /// Layer lists with two convolutions (same and valid padding, one linear), two max-pools (one over an odd size) and
    /// dense layers, on both pair losses. Small channel counts keep the central differences (two passes per parameter) quick.
    /// </summary>
    static IEnumerable<TestCaseData> LayerListCases()
    {
        foreach (var spec in new[]
                 {
                     "1x14x14,c3k3,p,c4k3v,p,f,6,3l", "1x14x14,c2k5vl,p,c3k1,p,f,5", "1x14x14,c3k3l,tanh,p,f,6l,sigmoid,4l,relu,3l",
                     // Residual networks: batch norm over channels (training mode: the batch's statistics) and over a dense
                     // layer's features, identity and projected shortcuts (a stride-2 block), bias-free and strided
                     // convolutions, the stem's 3x3/2/1 max-pool, global average pooling.
                     "1x14x14,c2k5s3vnl,bn,relu,[c2k3nl,bn,relu,c2k3nl,bn],relu,r3s2,bn,relu,gap,5l",
                     "1x14x14,c4k5s2vl,p3s2p1,r4,[bn,relu,c5k3s2nl],bn,relu,gap,6l,bn,sigmoid,3l",
                 })
            foreach (var (kind, param) in new[] { (LossKind.ContrastiveBounded, 5.0), (LossKind.ContrastiveMargin, 1.0) })
                yield return new TestCaseData(spec, kind, param).SetName($"{spec} {kind}");
    }

    /// <summary>A new layer kind (any <see cref="GpuSiamese.Model.Layers.ILayer"/> of the model) must join a network above.</summary>
    [Test]
    public void EveryLayerKindAndActivationIsInTheGradientCheck()
    {
        var layers = LayerListCases().Select(c => (string)c.Arguments[0]!).SelectMany(s => NetworkSpec.Parse(s).Layers)
            .Concat(Cases().SelectMany(c => new NetworkConfig((int[])c.Arguments[0]!, (bool)c.Arguments[1]!).Layers)).ToList();
        var kinds = typeof(GpuSiamese.Model.Layers.ILayer).Assembly.GetTypes()
            .Where(t => typeof(GpuSiamese.Model.Layers.ILayer).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });
        Assert.That(kinds.Where(k => layers.All(l => l.GetType() != k)).Select(k => k.Name), Is.Empty, "kinds no gradient check reaches");
        Assert.That(Enum.GetValues<GpuSiamese.Kernels.Activation>().Where(a => layers.All(l => l.Activation != a)), Is.Empty,
            "activations no gradient check reaches");
    }

    [TestCaseSource(nameof(Cases))]
    public void AnalyticGradientMatchesCentralDifferences(int[] widths, bool reluOnOutput, LossKind kind, double param) =>
        CheckAgainstCentralDifferences(new NetworkConfig(widths, reluOnOutput), kind, param);

    [TestCaseSource(nameof(LayerListCases))]
    public void ConvNetworkGradientMatchesCentralDifferences(string spec, LossKind kind, double param) =>
        CheckAgainstCentralDifferences(NetworkSpec.Parse(spec), kind, param);

    [TestCaseSource(nameof(LayerListCases))]
    public void ConvNetworkTrainerStepOnReferenceBackendMatchesTheChain(string spec, LossKind kind, double param) =>
        CheckTrainerStep(NetworkSpec.Parse(spec), kind, param);

    static void CheckAgainstCentralDifferences(NetworkConfig config, LossKind kind, double param)
    {
        var (theta, x, labels) = FixtureAwayFromKinks(config, kind, param);

        var analytic = new double[theta.Length];
        ModelChain.Loss(config, theta, x, labels, kind, param, Eps, analytic);

        double worst = 0;
        int checkedCount = 0;
        for (int k = 0; k < theta.Length; k++)
        {
            double saved = theta[k];
            theta[k] = saved + H;
            double plus = ModelChain.Loss(config, theta, x, labels, kind, param, Eps);
            theta[k] = saved - H;
            double minus = ModelChain.Loss(config, theta, x, labels, kind, param, Eps);
            theta[k] = saved;
            double numeric = (plus - minus) / (2 * H);
            // Relative error with a floor: components that are exactly zero (dead ReLUs) compare absolutely.
            double rel = Math.Abs(analytic[k] - numeric) / Math.Max(Math.Max(Math.Abs(analytic[k]), Math.Abs(numeric)), 1e-3);
            worst = Math.Max(worst, rel);
            checkedCount++;
            if (rel >= 1e-6)
                Assert.Fail($"parameter {k}: analytic {analytic[k]:E6}, numeric {numeric:E6}, relative error {rel:E2}");
        }
        Assert.That(analytic.Count(g => g != 0), Is.GreaterThan(theta.Length / 4), "most of the gradient is non-zero");
        TestContext.Out.WriteLine($"{checkedCount} parameters, worst relative error {worst:E2}");
    }

    [TestCaseSource(nameof(Cases))]
    public void TrainerStepOnReferenceBackendMatchesTheChain(int[] widths, bool reluOnOutput, LossKind kind, double param) =>
        CheckTrainerStep(new NetworkConfig(widths, reluOnOutput), kind, param);

    static void CheckTrainerStep(NetworkConfig network, LossKind kind, double param)
    {
        var set = SyntheticDigits.Create(perDigit: 4, seed: 3);
        var config = new TrainingConfig
        {
            Network = network,
            Loss = kind,
            Q = kind == LossKind.ContrastiveBounded ? param : 5,
            Margin = kind == LossKind.ContrastiveMargin ? param : 1,
            BatchPairs = 6,
            MonitorPairs = 20,
        };
        using var backend = new ReferenceBackend();
        using var trainer = new Trainer(backend, config, set, set, new Rng(7));
        int[] left = [0, 1, 2, 3, 14, 25], right = [10, 11, 5, 13, 24, 9];
        int[] labels = left.Select((l, i) => set.Labels[l] == set.Labels[right[i]] ? 0 : 1).ToArray();
        Assert.That(labels, Does.Contain(0).And.Contain(1));

        double loss = trainer.ComputeGradients(left, right, labels);
        var gradient = trainer.Network.DownloadGradients();

        var theta = Array.ConvertAll(trainer.Network.DownloadParameters(), v => (double)v);
        var x = new double[2 * left.Length * ImageSet.Size];
        for (int r = 0; r < 2 * left.Length; r++)
        {
            int image = r < left.Length ? left[r] : right[r - left.Length];
            for (int c = 0; c < ImageSet.Size; c++) x[r * ImageSet.Size + c] = set.Pixels[image * ImageSet.Size + c];
        }
        var expected = new double[theta.Length];
        double expectedLoss = ModelChain.Loss(config.Network, theta, x, labels, kind, param, config.DistanceEpsilon, expected);

        Assert.That(loss, Is.EqualTo(expectedLoss).Within(1e-5 + Math.Abs(expectedLoss) * 1e-5), "loss");
        double scale = expected.Max(Math.Abs);
        for (int k = 0; k < theta.Length; k++)
            if (Math.Abs(gradient[k] - expected[k]) > 1e-5 * scale + Math.Abs(expected[k]) * 1e-4)
                Assert.Fail($"gradient[{k}]: trainer {gradient[k]:E6}, chain {expected[k]:E6} (largest |g| {scale:E2})");
    }

    /// <summary>
    /// Random parameters, images and a balanced set of 6 pairs, redrawn until no pre-activation lies within
    /// 1e-3 of a ReLU kink and no squared distance near the clamp, so ±h cannot cross a non-differentiable point.
    /// </summary>
    static (double[] Theta, double[] X, int[] Labels) FixtureAwayFromKinks(NetworkConfig config, LossKind kind, double param)
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var rng = new Rng((ulong)(1000 + seed));
            var theta = Array.ConvertAll(Network.Initialize(config, rng), v => (double)v);
            for (int l = 0; l < config.LayerCount; l++)
                for (int o = 0; o < ModelChain.BiasCount(config.Layers[l]); o++)
                    theta[config.BiasOffset(l) + o] = 0.1 * (2 * rng.NextDouble() - 1);
            const int pairs = 6;
            var x = new double[2 * pairs * ImageSet.Size];
            for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble();
            int[] labels = [0, 1, 0, 1, 1, 0];
            var pre = new List<double[]>();
            ModelChain.Loss(config, theta, x, labels, kind, param, Eps, preActivations: pre);
            bool nearKink = pre.Any(z => z.Any(v => Math.Abs(v) < 1e-3)); // every ReLU layer's pre-activations
            if (kind == LossKind.ContrastiveMargin)
                nearKink |= NearMargin(config, theta, x, labels, param);
            if (!nearKink) return (theta, x, labels);
        }
        throw new AssertionException("no fixture away from ReLU kinks in 200 seeds");
    }

    /// <summary>The margin loss has a kink at E = m; keep every negative pair's distance away from it.</summary>
    static bool NearMargin(NetworkConfig config, double[] theta, double[] x, int[] labels, double margin)
    {
        for (int p = 0; p < labels.Length; p++)
        {
            int[] one = [1];
            var xp = new double[2 * ImageSet.Size];
            Array.Copy(x, p * ImageSet.Size, xp, 0, ImageSet.Size);
            Array.Copy(x, (labels.Length + p) * ImageSet.Size, xp, ImageSet.Size, ImageSet.Size);
            // With label 1 the margin loss is max(m − E, 0)², so E = m − sqrt(L) when L > 0.
            double l = ModelChain.Loss(config, theta, xp, one, LossKind.ContrastiveMargin, margin, Eps);
            if (l < 1e-6) return true;
        }
        return false;
    }
}
