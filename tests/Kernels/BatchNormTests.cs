using static GpuSiamese.Tests.Kernels.Parity;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// Batch normalisation on every backend against <see cref="Ref.BatchNorm"/> at awkward shapes (one sample, channel
/// counts that fill no vector, a large batch of few channels, a ResNet's 64 and 512), the three passes and the running
/// averages; plus values worked out by hand.
/// </summary>
[TestFixture]
public class BatchNormTests
{
    static IEnumerable<TestCaseData> Cases() =>
        from c in BackendCases.All()
        from shape in new[] { (1, 1), (2, 3), (7, 13), (128, 17), (2048, 3), (4 * 64, 64), (12, 512), (96 * 49, 32) }
        where c.Name != "ilgpu-cpu" || shape.Item1 * shape.Item2 <= 1 << 15
        select new TestCaseData(c, shape.Item1, shape.Item2).SetArgDisplayNames(c.Name, $"{shape.Item1}x{shape.Item2}");

    [TestCaseSource(nameof(Cases))]
    public void TrainingScoringAndBackwardMatchReference(BackendCase c, int samples, int channels)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(samples * 131 + channels);
        int n = samples * channels;
        // Channels with their own offsets and spreads, as after a convolution.
        var x = Parity.Random(rng, n);
        for (int i = 0; i < n; i++) x[i] = x[i] * (1 + i % channels % 5) + (i % channels) * 0.3f - 1;
        var gamma = Parity.Random(rng, channels, 2);
        var beta = Parity.Random(rng, channels, 1);
        var running = Enumerable.Range(0, 2 * channels).Select(i => i < channels ? (float)(rng.NextDouble() - 0.5) : (float)(0.5 + rng.NextDouble())).ToArray();
        var dy = Parity.Random(rng, n);
        double[] ey = new double[n], saved = new double[2 * channels], er = D(running), ex = new double[n], edx = new double[n];
        double[] edg = new double[channels], edb = new double[channels];
        Ref.BatchNorm.TrainingForward(D(x), D(gamma), D(beta), ey, saved, er, samples, channels, 0.1, 1e-5);
        Ref.BatchNorm.ScoringForward(D(x), D(gamma), D(beta), er, ex, samples, channels, 1e-5);
        Ref.BatchNorm.Backward(D(x), D(dy), D(gamma), saved, edx, edg, edb, samples, channels);

        using var bx = Up(b, x); using var bg = Up(b, gamma); using var bb = Up(b, beta); using var br = Up(b, running);
        using var by = Up(b, Parity.Random(rng, n, 100)); using var bs = Up(b, Parity.Random(rng, 2 * channels, 100));
        using var work = Up(b, Parity.Random(rng, 3 * channels, 100));
        b.BatchNormTrainingForward(bx, bg, bb, by, bs, br, work, samples, channels, 0.1f, 1e-5f);
        // Channel offsets up to 150 leave x − μ only float's last digits of x (a ulp of 150 is 1.5e-5): the normalised
        // outputs and dX carry that, so they are held to 1e-4 (the other outputs to the usual rule, or its sum form).
        AssertClose(ey, Down(b, by), "training y", 1e-4, 1e-4);
        AssertClose(saved, Down(b, bs), "saved statistics", 1e-5, 1e-4);
        AssertClose(er, Down(b, br), "running averages");
        b.BatchNormScoringForward(bx, bg, bb, br, by, work, samples, channels, 1e-5f);
        AssertClose(ex, Down(b, by), "scoring y", 1e-4, 1e-4);
        using var bdy = Up(b, dy); using var bdx = Up(b, Parity.Random(rng, n, 100));
        using var bdg = Up(b, Parity.Random(rng, channels, 100)); using var bdb = Up(b, Parity.Random(rng, channels, 100));
        using var bsaved = Up(b, Array.ConvertAll(saved, v => (float)v));
        b.BatchNormBackward(bx, bdy, bg, bsaved, bdx, bdg, bdb, work, samples, channels);
        double scale = Math.Sqrt(samples);
        AssertClose(edb, Down(b, bdb), "dbeta", 1e-5 * scale, 1e-4);
        AssertClose(edg, Down(b, bdg), "dgamma", 1e-5 * scale, 1e-4);
        AssertClose(edx, Down(b, bdx), "dx", 1e-4, 1e-3);
    }

    [Test]
    public void TheReferenceNormalisesEachChannelAndKeepsUnbiasedRunningVariance()
    {
        // One channel of 1, 2, 3, 6: μ = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5, x̂ = (x − 3)/sqrt(3.5 + ε); γ = 2, β = 1.
        // Running (0, 1) with momentum 0.5: mean 1.5, variance 0.5 + 0.5·3.5·4/3 = 2.8333…
        var y = new double[4];
        var saved = new double[2];
        var running = new[] { 0.0, 1.0 };
        Ref.BatchNorm.TrainingForward([1, 2, 3, 6], [2], [1], y, saved, running, 4, 1, 0.5, 1e-12);
        double s = Math.Sqrt(3.5);
        Assert.That(y, Is.EqualTo(new[] { 1 - 4 / s, 1 - 2 / s, 1, 1 + 6 / s }).Within(1e-9));
        Assert.That(saved, Is.EqualTo(new[] { 3, 1 / s }).Within(1e-9));
        Assert.That(running, Is.EqualTo(new[] { 1.5, 0.5 + 0.5 * 3.5 * 4 / 3 }).Within(1e-12));
        // dY = (1, 0, 0, 0): dβ = 1, dγ = x̂₀ = −2/s, dx = γ/(4s)·(4·dy − 1 − x̂·dγ).
        double[] dx = new double[4], dg = new double[1], db = new double[1];
        Ref.BatchNorm.Backward([1, 2, 3, 6], [1, 0, 0, 0], [2], saved, dx, dg, db, 4, 1);
        Assert.That((db[0], dg[0]), Is.EqualTo((1.0, -2 / s)).Within(1e-9));
        double[] xhat = [-2 / s, -1 / s, 0, 3 / s];
        Assert.That(dx, Is.EqualTo(xhat.Select((h, i) => 2 / (4 * s) * ((i == 0 ? 4 : 0) - 1 - h * (-2 / s))).ToArray()).Within(1e-9));
        Assert.That(dx.Sum(), Is.EqualTo(0).Within(1e-12), "the mean subtracted takes the gradient's mean away");
    }
}
