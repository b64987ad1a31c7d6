using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Tests.Model;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// Every kernel family against values worked out by hand (or from the formula in a line or two here), never from
/// src/Kernels/Reference: so a mistake made in the reference and a backend together (a dropped bias correction, a
/// missing clamp) still fails. Run on the reference itself (through <see cref="ReferenceBackend"/>) and on every
/// backend. The clamp cases use pairs closer than sqrt(eps) but not equal: (a − b) ≠ 0 there, so only the clamp
/// makes the gradient zero.
/// </summary>
[TestFixture]
public class IndependentValueTests
{
    const float Eps = 1e-6f; // sqrt(eps) = 1e-3

    public static IEnumerable<BackendCase> Cases() =>
        BackendCases.All().Prepend(new BackendCase("reference", () => new ReferenceBackend(), null));

    static void Close(float[] got, double[] expected, string what, double tolerance = 1e-5)
    {
        Assert.That(got, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < got.Length; i++)
            Assert.That(got[i], Is.EqualTo(expected[i]).Within(tolerance + Math.Abs(expected[i]) * 1e-5), $"{what}[{i}]");
    }

    [Test]
    public void Pair_distance_of_a_3_4_5_triangle_and_of_pairs_inside_the_clamp([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // Three pairs of 2-d embeddings (left rows 0..2, right rows 3..5):
        //   (3, 0) vs (0, 4): E = 5, dE/da = (a − b)/E = (0.6, −0.8);
        //   (0.0004, 0) vs (0, 0.0003): squared distance 2.5e-7 < eps, so E = sqrt(eps) = 1e-3 and the gradient is 0
        //     (without the clamp it would be (a − b)/1e-3 = (0.4, −0.3));
        //   (0.003, 0) vs (0, 0.004): 2.5e-5 > eps, E = 0.005, dE/da = (0.6, −0.8) again.
        float[] emb = [3, 0, 0.0004f, 0, 0.003f, 0, /* right */ 0, 4, 0, 0.0003f, 0, 0.004f];
        using var be = Up(b, emb);
        using var dist = b.Allocate<float>(3);
        b.PairDistanceForward(be, dist, 3, 2, Eps);
        Close(Down(b, dist), [5, 1e-3, 0.005], "E", 1e-7);
        using var dDist = Up(b, new float[] { 2, 2, 0.5f });
        using var dEmb = Up(b, new float[12]);
        b.PairDistanceBackward(be, dist, dDist, dEmb, 3, 2, Eps);
        Close(Down(b, dEmb), [1.2, -1.6, 0, 0, 0.3, -0.4, /* right */ -1.2, 1.6, 0, 0, -0.3, 0.4], "dEmb");
    }

    [Test]
    public void The_clamp_and_the_hinge_end_exactly_at_their_boundaries([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // eps = 2⁻²⁰ and a − b = (2⁻¹⁰, 0): the squared sum is eps exactly (every value a power of two), which is not
        // below eps, so the gradient is not clamped: E = 2⁻¹⁰ and dE/da = (a − b)/E = (1, 0), times dE = 3.
        const float eps = 1f / (1 << 20), d = 1f / (1 << 10);
        using var pair = Up(b, new float[] { d, 0, /* right */ 0, 0 });
        using var dist = b.Allocate<float>(1);
        b.PairDistanceForward(pair, dist, 1, 2, eps);
        Close(Down(b, dist), [d], "E at the clamp", 0);
        using var dDist = Up(b, new float[] { 3 });
        using var dPair = Up(b, new float[4]);
        b.PairDistanceBackward(pair, dist, dDist, dPair, 1, 2, eps);
        Close(Down(b, dPair), [3, 0, -3, 0], "dEmb at the clamp");

        // Triplet with the same boundary on its positive (d(a,p) = 2⁻¹⁰, squared sum = eps, not clamped) and n far enough
        // that the hinge is active: L = 2⁻¹⁰ − 1 + 1 = 2⁻¹⁰, dA = ((a − p)/d(a,p) − (a − n)/d(a,n))/T = (−1, 0) − (0, −1).
        // A second triplet sits exactly on the hinge (d(a,p) = 5, d(a,n) = 6, margin 1: 5 − 6 + 1 = 0): no loss, no gradient.
        float[] emb =
        [
            0, 0, 0, 0,
            d, 0, 3, 4,
            0, 1, 0, 6,
        ];
        using var te = Up(b, emb);
        using var loss = b.Allocate<float>(2);
        using var dEmb = Up(b, new float[12]);
        b.TripletLoss(te, loss, dEmb, 2, 2, 1, eps);
        Close(Down(b, loss), [d, 0], "triplet loss at the boundaries", 1e-7);
        Close(Down(b, dEmb),
        [
            -1 / 2.0, 1 / 2.0, 0, 0,
            1 / 2.0, 0, 0, 0,
            0, -1 / 2.0, 0, 0,
        ], "triplet dEmb at the boundaries");
    }

    [Test]
    public void Bounded_contrastive_loss_from_its_formula([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // Q = 5, E = 1: same pair L = (2/Q)·E² = 0.4, dL/dE = (4/Q)·E = 0.8; different pair L = 2Q·exp(−2.77·E/Q),
        // dL/dE = −2·2.77·exp(−2.77·E/Q). Backward is of the batch mean: divided by count = 2.
        double k = Math.Exp(-2.77 * 1 / 5.0);
        using var dist = Up(b, new float[] { 1, 1 });
        using var labels = Up(b, new[] { 0, 1 });
        using var loss = b.Allocate<float>(2);
        using var dDist = b.Allocate<float>(2);
        b.PairLoss(LossKind.ContrastiveBounded, 5, dist, labels, loss, dDist, 2);
        Close(Down(b, loss), [0.4, 10 * k], "loss");
        Close(Down(b, dDist), [0.8 / 2, -2 * 2.77 * k / 2], "dL/dE");
    }

    [Test]
    public void Margin_loss_inside_and_beyond_the_margin([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // m = 2. Same, E = 1.5: L = E² = 2.25, dL/dE = 2E = 3. Different, E = 0.5: L = (m − E)² = 2.25, dL/dE = −2(m − E) = −3.
        // Different, E = 3 (beyond the margin): L = 0, dL/dE = 0. Same, E = 0: 0 and 0. Mean over count = 4.
        using var dist = Up(b, new float[] { 1.5f, 0.5f, 3, 0 });
        using var labels = Up(b, new[] { 0, 1, 1, 0 });
        using var loss = b.Allocate<float>(4);
        using var dDist = b.Allocate<float>(4);
        b.PairLoss(LossKind.ContrastiveMargin, 2, dist, labels, loss, dDist, 4);
        Close(Down(b, loss), [2.25, 2.25, 0, 0], "loss");
        Close(Down(b, dDist), [0.75, -0.75, 0, 0], "dL/dE");
    }

    [Test]
    public void Triplet_loss_active_inactive_and_clamped([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // Four triplets in 2-d, margin 1, anchors at the origin (rows 0..3), positives rows 4..7, negatives rows 8..11.
        //  0: p = (3, 4), n = (0, 3): d(a,p) = 5, d(a,n) = 3, L = 5 − 3 + 1 = 3, active:
        //     dA = ((a−p)/5 − (a−n)/3)/T = ((−0.6, −0.8) − (0, −1))/4, dP = −(a−p)/(5T) = (0.6, 0.8)/4, dN = (a−n)/(3T) = (0, −1)/4.
        //  1: p = (3, 4), n = (6, 8): L = max(5 − 10 + 1, 0) = 0, every gradient 0.
        //  2: p = (0.0004, 0) (closer than sqrt(eps)), n = (0, 3): d(a,p) = 1e-3, L = 0.001 − 3 + 1 < 0: inactive, 0.
        //  3: like 2 with margin made up by n = (0, 0.5): L = 0.001 − 0.5 + 1 = 0.501, active; the positive term is
        //     clamped (0, where (a−p)/d(a,p) would be (−0.4, 0)), dA = −(a−n)/(0.5T) = (0, 1)/4, dN = (0, −1)/4.
        float[] emb =
        [
            0, 0, 0, 0, 0, 0, 0, 0,
            3, 4, 3, 4, 0.0004f, 0, 0.0004f, 0,
            0, 3, 6, 8, 0, 3, 0, 0.5f,
        ];
        using var be = Up(b, emb);
        using var loss = b.Allocate<float>(4);
        using var dEmb = Up(b, new float[24]);
        b.TripletLoss(be, loss, dEmb, 4, 2, 1, Eps);
        Close(Down(b, loss), [3, 0, 0, 0.501], "loss");
        Close(Down(b, dEmb),
        [
            -0.6 / 4, 0.2 / 4, 0, 0, 0, 0, 0, 1 / 4.0,
            0.6 / 4, 0.8 / 4, 0, 0, 0, 0, 0, 0,
            0, -1 / 4.0, 0, 0, 0, 0, 0, -1 / 4.0,
        ], "dEmb");
    }

    [Test]
    public void Adam_first_and_second_step_with_bias_correction([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // Step 1 with m = v = 0: m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g), whatever |g|:
        // p = 1 − 0.1 = 0.9 for g = 2 and p = −1 + 0.1 for g = −0.001. (Without bias correction it would be
        // lr·0.1g/(sqrt(0.001)|g|) ≈ 0.316.) The gradient scale 0.5 halves g first: the same step.
        using var p = Up(b, new float[] { 1, -1 });
        using var g = Up(b, new float[] { 4, -0.002f });
        using var m = Up(b, new float[2]);
        using var v = Up(b, new float[2]);
        b.AdamStep(p, g, m, v, 2, 0.1f, 0.9f, 0.999f, 1e-8f, 1, 0.5f);
        Close(Down(b, p), [0.9, -0.9], "p after step 1", 1e-6);
        Close(Down(b, m), [0.2, -0.0001], "m after step 1", 1e-9);
        Close(Down(b, v), [0.004, 1e-9], "v after step 1 (float: 1 − β2 keeps 4 digits)", 1e-7);

        // Step 2 with g = −1 (scale 1) on the first parameter, from the formula:
        // m = 0.9·0.2 − 0.1 = 0.08, v = 0.999·0.004 + 0.001 = 0.004996, m̂ = m/(1 − 0.9²), v̂ = v/(1 − 0.999²).
        double m2 = 0.08, v2 = 0.004996, step = 0.1 * (m2 / (1 - 0.81)) / (Math.Sqrt(v2 / (1 - 0.998001)) + 1e-8);
        using var g2 = Up(b, new float[] { -1, 0 });
        b.AdamStep(p, g2, m, v, 2, 0.1f, 0.9f, 0.999f, 1e-8f, 2, 1);
        Assert.That(Down(b, p)[0], Is.EqualTo(0.9 - step).Within(5e-6), "p after step 2 (float: 1 − β2² loses digits)");
        Assert.That(step, Is.EqualTo(0.026634).Within(1e-6), "the formula's step, worked out by hand");
    }

    [Test]
    public void RmsProp_and_sgd_steps_from_their_formulas([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // RMSprop, ρ = 0.9, s = 0, g = 2: s = 0.1·4 = 0.4, p −= 0.1·2/(sqrt(0.4) + eps) = 0.316228.
        using var p = Up(b, new float[] { 1 });
        using var g = Up(b, new float[] { 2 });
        using var s = Up(b, new float[1]);
        b.RmsPropStep(p, g, s, 1, 0.1f, 0.9f, 1e-8f, 1);
        Close(Down(b, s), [0.4], "s");
        Close(Down(b, p), [1 - 0.2 / Math.Sqrt(0.4)], "p (RMSprop)");

        // SGD with momentum 0.9 from u = 1, g = 2 (scale 0.5 of 4): u = 0.9 + 2 = 2.9; p −= 0.1·2.9 = 0.29;
        // Nesterov p −= 0.1·(2 + 0.9·2.9) = 0.461; plain SGD (μ = 0) p −= 0.1·2 = 0.2 and u = g.
        foreach (var (momentum, nesterov, expectedP, expectedU) in new[] { (0.9f, false, 0.71, 2.9), (0.9f, true, 0.539, 2.9), (0f, false, 0.8, 2.0) })
        {
            using var pp = Up(b, new float[] { 1 });
            using var gg = Up(b, new float[] { 4 });
            using var u = Up(b, new float[] { 1 });
            b.SgdStep(pp, gg, u, 1, 0.1f, momentum, nesterov, 0.5f);
            Close(Down(b, pp), [expectedP], $"p (momentum {momentum}, nesterov {nesterov})");
            Close(Down(b, u), [expectedU], $"u (momentum {momentum}, nesterov {nesterov})");
        }
    }

    [Test]
    public void Epsilon_and_gradient_scale_count_where_the_root_is_as_small([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // Adam step 1 with g = eps = 1e-7: m̂ = g, v̂ = g², so the step is lr·g/(g + eps) = lr/2 exactly half, which only
        // "+ eps" gives ("− eps" divides by zero). 20 parameters, so that vectors of 4, 8 and 16 and a tail all take part.
        const int n = 20;
        using var p = Up(b, Enumerable.Repeat(1f, n).ToArray());
        using var g = Up(b, Enumerable.Repeat(1e-7f, n).ToArray());
        using var m = Up(b, new float[n]);
        using var v = Up(b, new float[n]);
        b.AdamStep(p, g, m, v, n, 0.01f, 0.9f, 0.999f, 1e-7f, 1, 1);
        Close(Down(b, p), Enumerable.Repeat(1 - 0.01 / 2, n).ToArray(), "Adam p with sqrt(v̂) = eps", 1e-6);

        // RMSprop, ρ = 0.9, g = 2e-7 scaled by 0.5 to 1e-7 = eps: s = 0.1·g², p −= lr·g/(sqrt(0.1)·g + eps) = lr/(sqrt(0.1) + 1).
        using var rp = Up(b, Enumerable.Repeat(1f, n).ToArray());
        using var rg = Up(b, Enumerable.Repeat(2e-7f, n).ToArray());
        using var rs = Up(b, new float[n]);
        b.RmsPropStep(rp, rg, rs, n, 0.01f, 0.9f, 1e-7f, 0.5f);
        Close(Down(b, rp), Enumerable.Repeat(1 - 0.01 / (Math.Sqrt(0.1) + 1), n).ToArray(), "RMSprop p with sqrt(s) near eps", 1e-6);
        Close(Down(b, rs), Enumerable.Repeat(0.1 * 1e-14, n).ToArray(), "RMSprop s of the scaled gradient", 1e-20);
    }

    [Test]
    public void Updates_and_distances_leave_the_elements_past_n_alone([ValueSource(nameof(Cases))] BackendCase c, [Values(17, 40)] int n)
    {
        using var b = BackendCases.Open(c);
        const int extra = 48;
        const float sentinel = 7.25f;
        float[] Filled(float first) => [.. Enumerable.Repeat(first, n), .. Enumerable.Repeat(sentinel, extra)];
        void Untouched(DeviceBuffer<float> x, string what)
        {
            var down = Down(b, x);
            for (int i = n; i < n + extra; i++)
                Assert.That(down[i], Is.EqualTo(sentinel), $"{what}[{i}] past n = {n}");
        }
        using var p = Up(b, Filled(1)); using var g = Up(b, Filled(0.5f)); using var s1 = Up(b, Filled(0)); using var s2 = Up(b, Filled(0));
        b.AdamStep(p, g, s1, s2, n, 0.01f, 0.9f, 0.999f, 1e-7f, 1, 1);
        Untouched(p, "Adam p"); Untouched(s1, "Adam m"); Untouched(s2, "Adam v");
        b.RmsPropStep(p, g, s1, n, 0.01f, 0.9f, 1e-7f, 1);
        Untouched(p, "RMSprop p"); Untouched(s1, "RMSprop s");
        foreach (bool nesterov in new[] { false, true })
        {
            b.SgdStep(p, g, s2, n, 0.01f, 0.9f, nesterov, 1);
            Untouched(p, $"SGD p (nesterov {nesterov})"); Untouched(s2, $"SGD u (nesterov {nesterov})");
        }
        // n pairs of 2-wide embeddings: distances and their gradient for n pairs only.
        using var emb = Up(b, [.. Enumerable.Range(0, 4 * n).Select(i => (float)(i % 5)), .. Enumerable.Repeat(sentinel, extra)]);
        using var dist = Up(b, Filled(0));
        b.PairDistanceForward(emb, dist, n, 2, 1e-7f);
        Untouched(dist, "distances");
        using var dDist = Up(b, Filled(1));
        using var dEmb = Up(b, [.. new float[4 * n], .. Enumerable.Repeat(sentinel, extra)]);
        b.PairDistanceBackward(emb, dist, dDist, dEmb, n, 2, 1e-7f);
        var down = Down(b, dEmb);
        for (int i = 4 * n; i < 4 * n + extra; i++)
            Assert.That(down[i], Is.EqualTo(sentinel), $"dEmb[{i}] past the {n} pairs");
    }

    [Test]
    public void A_triplets_negative_exactly_at_the_clamp_keeps_its_gradient([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // eps = 2⁻²⁰, a − n = (2⁻¹⁰, 0): the squared sum is eps exactly, not below it, so d(a,n) = 2⁻¹⁰ is not clamped.
        // p at distance 1 from a, margin 1: L = 1 − 2⁻¹⁰ + 1 > 0, dA = (a − p)/1 − (a − n)/2⁻¹⁰ = (0, −1) − (1, 0),
        // dP = (p − a) = (0, 1), dN = (a − n)/2⁻¹⁰ = (1, 0) (one triplet).
        const float eps = 1f / (1 << 20), d = 1f / (1 << 10);
        using var te = Up(b, new float[] { 0, 0, 0, 1, -d, 0 });
        using var loss = b.Allocate<float>(1);
        using var dEmb = Up(b, new float[6]);
        b.TripletLoss(te, loss, dEmb, 1, 2, 1, eps);
        Close(Down(b, loss), [2 - d], "triplet loss", 1e-6);
        Close(Down(b, dEmb), [-1, -1, 0, 1, 1, 0], "triplet dEmb with the negative at the clamp");
    }

    [Test]
    public void Dense_layer_by_hand([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // x = [[1, 2]], W = [[1, −1], [2, 3]] (w[i·outW + o]), bias (0.5, −10):
        // z = (1 + 4 + 0.5, −1 + 6 − 10) = (5.5, −5); ReLU → (5.5, 0).
        using var x = Up(b, new float[] { 1, 2 });
        using var w = Up(b, new float[] { 1, -1, 2, 3 });
        using var bias = Up(b, new float[] { 0.5f, -10 });
        using var y = b.Allocate<float>(2);
        b.DenseForward(x, w, bias, y, 1, 2, 2, Activation.Relu);
        Close(Down(b, y), [5.5, 0], "y");
        // dY = (1, 1) through ReLU's derivative (from y): (1, 0). dX = dZ·Wᵀ = (1·1 + 0·(−1), 1·2 + 0·3) = (1, 2);
        // dW = xᵀ·dZ = [[1, 0], [2, 0]], db = (1, 0).
        using var dy = Up(b, new float[] { 1, 1 });
        b.ActivationBackward(y, dy, 2, Activation.Relu);
        Close(Down(b, dy), [1, 0], "dZ");
        using var dx = b.Allocate<float>(2);
        b.DenseBackwardData(dy, w, dx, 1, 2, 2);
        Close(Down(b, dx), [1, 2], "dX");
        using var dw = b.Allocate<float>(4);
        using var db = b.Allocate<float>(2);
        b.DenseBackwardWeights(x, dy, dw, db, 1, 2, 2);
        Close(Down(b, dw), [1, 0, 2, 0], "dW");
        Close(Down(b, db), [1, 0], "db");
    }

    [Test]
    public void Sums_gather_and_dropout_by_hand([ValueSource(nameof(Cases))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        // 1 + 2 + … + 100 = 5050; 1² + … + 100² = 100·101·201/6 = 338350 (both exact in float).
        using var ramp = Up(b, Enumerable.Range(1, 100).Select(i => (float)i).ToArray());
        Assert.That(b.Sum(ramp, 100), Is.EqualTo(5050f));
        Assert.That(b.SumOfSquares(ramp, 100), Is.EqualTo(338350f));

        // Rows 2, 0, 2 of a 3x2 table.
        using var table = Up(b, new float[] { 1, 2, 3, 4, 5, 6 });
        using var indices = Up(b, new[] { 2, 0, 2 });
        using var rows = b.Allocate<float>(6);
        b.GatherRows(table, indices, rows, 3, 2);
        Close(Down(b, rows), [5, 6, 1, 2, 5, 6], "gathered");

        // Inverted dropout with p = 0.25 on ones: every element 0 or 1/(1 − p) = 4/3, about three quarters kept.
        using var ones = Up(b, Enumerable.Repeat(1f, 4000).ToArray());
        b.Dropout(ones, 4000, 0.25f, 12345, 7);
        var kept = Down(b, ones);
        Assert.That(kept.All(v => v == 0 || Math.Abs(v - 4 / 3.0) < 1e-6), Is.True, "0 or 4/3");
        Assert.That(kept.Count(v => v != 0), Is.InRange(2850, 3150), "about 3,000 of 4,000 kept");
    }
}
