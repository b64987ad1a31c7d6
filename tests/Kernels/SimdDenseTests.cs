using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Simd;
using static GpuSiamese.Tests.Kernels.Parity;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// The SIMD dense kernels called directly on a range of rows, as a backend's threads call them: the
/// rows inside the range match the reference, the rows outside are not touched. B and the bias are
/// followed by NaN slack: the kernels read it as the lanes past a row's end, which must never reach an
/// output.
/// </summary>
[TestFixture]
public unsafe class SimdDenseTests
{
    [Test]
    public void ForwardWritesOnlyItsRows([Values] VectorWidth width, [Values(1, 7, 10, 33, 200)] int outW)
    {
        int rows = 13, inW = 11, start = 3, end = 10; // a range that starts and ends inside four-row tiles
        var rng = new Random(outW);
        var x = Parity.Random(rng, rows * inW); var w = Parity.Random(rng, inW * outW); var b = Parity.Random(rng, outW);
        var expected = new double[rows * outW];
        Ref.Dense.Forward(D(x), D(w), D(b), expected, rows, inW, outW, Activation.Relu);
        var y = Enumerable.Repeat(float.NaN, rows * outW).ToArray();
        fixed (float* xp = x, wp = Slack(w), bp = Slack(b), yp = y)
            Dense.Forward(width, xp, wp, bp, yp, start, end, inW, outW, Activation.Relu);
        AssertRows(expected, y, rows, outW, start, end);
    }

    [Test]
    public void BackwardWeightsWritesOnlyItsInputs([Values] VectorWidth width, [Values(1, 10, 200)] int outW)
    {
        int rows = 9, inW = 14, start = 5, end = 13;
        var rng = new Random(outW + 1);
        var x = Parity.Random(rng, rows * inW); var dy = Parity.Random(rng, rows * outW);
        var ew = new double[inW * outW]; var eb = new double[outW];
        Ref.Dense.BackwardWeights(D(x), D(dy), ew, eb, rows, inW, outW);
        var dw = Enumerable.Repeat(float.NaN, inW * outW).ToArray();
        var db = new float[outW];
        fixed (float* xp = x, dyp = Slack(dy), dwp = dw, dbp = db)
        {
            Dense.BackwardWeights(width, xp, dyp, dwp, start, end, rows, inW, outW);
            Dense.BiasGradient(width, dyp, dbp, rows, outW);
        }
        AssertRows(ew, dw, inW, outW, start, end);
        AssertClose(eb, db, "db");
    }

    [Test]
    public void TransposeIsExact([Values(1, 15, 16, 17, 200)] int inW, [Values(1, 10, 33)] int outW)
    {
        var w = Parity.Random(new Random(inW * outW), inW * outW);
        var t = new float[inW * outW];
        fixed (float* wp = w, tp = t) Dense.Transpose(wp, tp, inW, outW);
        for (int i = 0; i < inW; i++)
            for (int o = 0; o < outW; o++)
                Assert.That(t[o * inW + i], Is.EqualTo(w[i * outW + o]));
    }

    [Test]
    public void BackwardDataIgnoresTheSlackOfWt([Values] VectorWidth width, [Values(1, 7, 33, 196)] int inW)
    {
        int rows = 6, outW = 10;
        var rng = new Random(inW);
        var dy = Parity.Random(rng, rows * outW); var w = Parity.Random(rng, inW * outW);
        var expected = new double[rows * inW];
        Ref.Dense.BackwardData(D(dy), D(w), expected, rows, inW, outW);
        var wT = Slack(new float[inW * outW]);
        var dx = new float[rows * inW];
        fixed (float* dyp = dy, wp = w, tp = wT, dxp = dx)
        {
            Dense.Transpose(wp, tp, inW, outW);
            Dense.BackwardData(width, dyp, tp, dxp, 0, rows, inW, outW);
        }
        AssertClose(expected, dx, "dX");
    }

    /// <summary>The packed product's three operand layouts: forward (X·W), backward data (dY·Wᵀ), backward weights (Xᵀ·dY).</summary>
    public enum Layout { Forward, BackwardData, BackwardWeights }

    /// <summary>Shapes (m, n, k) off every tile and block: 8-row tiles, 2-register panels, 128-deep and 512-wide blocks, 128-row A blocks.</summary>
    static IEnumerable<TestCaseData> PackedShapes()
    {
        foreach (var width in Enum.GetValues<VectorWidth>())
            foreach (var layout in Enum.GetValues<Layout>())
                foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 5), (13, 31, 129), (9, 17, 16), (139, 530, 300), (8, 64, 128) })
                    yield return new TestCaseData(width, layout, m, n, k);
    }

    /// <summary>C = act(bias + A·B) for A [m, k] and B [k, n] as the layout lays them out; the reference in double.</summary>
    static (float[] A, float[] B, float[] Bias, double[] Expected, long Am, long Ak, long Bk, long Bn) Operands(Layout layout, int m, int n, int k, int seed)
    {
        var rng = new Random(seed);
        var a = Parity.Random(rng, m * k); var b = Parity.Random(rng, k * n); var bias = Parity.Random(rng, n);
        // A[i,p] = a[i·am + p·ak], B[p,j] = b[p·bk + j·bn].
        var (am, ak) = layout == Layout.BackwardWeights ? (1L, (long)m) : ((long)k, 1L);
        var (bk, bn) = layout == Layout.BackwardData ? (1L, (long)k) : ((long)n, 1L);
        bool fused = layout == Layout.Forward;
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = fused ? bias[j] : 0;
                for (int p = 0; p < k; p++) sum += (double)a[i * am + p * ak] * b[p * bk + j * bn];
                expected[i * n + j] = fused ? Math.Max(sum, 0) : sum;
            }
        return (a, b, bias, expected, am, ak, bk, bn);
    }

    [TestCaseSource(nameof(PackedShapes))]
    public void PackedProductMatchesReference(VectorWidth width, Layout layout, int m, int n, int k)
    {
        var (a, b, bias, expected, am, ak, bk, bn) = Operands(layout, m, n, k, m * 31 + n * 7 + k);
        var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        var sums = Enumerable.Repeat(float.NaN, n).ToArray();
        var scratch = new float[Dense.PackedScratchFloats + 16];
        bool fused = layout == Layout.Forward;
        fixed (float* ap = a, bp = b, biasp = bias, cp = c, sp = sums, scr = scratch)
            Dense.PackedProduct(width, ap, am, ak, bp, bk, bn, fused ? biasp : null, cp, n, k, 0, m, 0, n, fused, Aligned(scr), sp);
        AssertClose(expected, c, $"{layout} C");
        var columnSums = new double[n];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++) columnSums[j] += b[p * bk + j * bn];
        AssertClose(columnSums, sums, "Σ_p B[p, j]");
    }

    [Test]
    public void PackedProductWritesOnlyItsPart([Values] VectorWidth width, [Values] Layout layout)
    {
        int m = 21, n = 70, k = 140, m0 = 5, m1 = 19, n0 = 3, n1 = 41;
        var (a, b, bias, expected, am, ak, bk, bn) = Operands(layout, m, n, k, 3);
        var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        var sums = Enumerable.Repeat(float.NaN, n).ToArray();
        var scratch = new float[Dense.PackedScratchFloats + 16];
        bool fused = layout == Layout.Forward;
        fixed (float* ap = a, bp = b, biasp = bias, cp = c, sp = sums, scr = scratch)
            Dense.PackedProduct(width, ap, am, ak, bp, bk, bn, fused ? biasp : null, cp, n, k, m0, m1, n0, n1, fused, Aligned(scr), sp);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                bool inside = i >= m0 && i < m1 && j >= n0 && j < n1;
                if (inside) AssertClose([expected[i * n + j]], [c[i * n + j]], $"C[{i},{j}]");
                else Assert.That(c[i * n + j], Is.NaN, $"C[{i},{j}] is outside the part and must stay untouched");
            }
        for (int j = 0; j < n; j++)
            Assert.That(float.IsNaN(sums[j]), Is.EqualTo(j < n0 || j >= n1), $"column sum {j} written only inside the part");
    }

    /// <summary>
    /// The packed path runs each output's FMA chain in the register-tiled kernels' order, so the size rule that picks
    /// between them changes no bit of any result (the exercise's job stays bit-identical whichever path its products take).
    /// </summary>
    [Test]
    public void PackedProductHasTheRegisterTiledBits([Values] VectorWidth width, [Values(1, 9, 130)] int rows)
    {
        int inW = 301, outW = 37 + 16 * (int)width / 128;
        var rng = new Random(rows);
        var x = Parity.Random(rng, rows * inW); var w = Parity.Random(rng, inW * outW); var bias = Parity.Random(rng, outW);
        var dy = Parity.Random(rng, rows * outW);
        int size = Math.Max(rows * Math.Max(inW, outW), inW * outW);
        float[] tiled = new float[size], packed = new float[size], wT = Slack(new float[inW * outW]);
        float[] dbTiled = new float[outW], dbPacked = new float[outW];
        var scratch = new float[Dense.PackedScratchFloats + 16];
        fixed (float* xp = x, wp = Slack(w), bp = Slack(bias), dyp = Slack(dy), tp = tiled, pp = packed, wtp = wT, dbt = dbTiled, dbp = dbPacked, scr = scratch)
        {
            float* s = Aligned(scr);
            Dense.Forward(width, xp, wp, bp, tp, 0, rows, inW, outW, Activation.Relu);
            Dense.PackedProduct(width, xp, inW, 1, wp, outW, 1, bp, pp, outW, inW, 0, rows, 0, outW, true, s);
            Assert.That(packed, Is.EqualTo(tiled), "forward");
            Dense.Transpose(wp, wtp, inW, outW);
            Dense.BackwardData(width, dyp, wtp, tp, 0, rows, inW, outW);
            Dense.PackedProduct(width, dyp, outW, 1, wp, 1, outW, null, pp, inW, outW, 0, rows, 0, inW, false, s);
            Assert.That(packed, Is.EqualTo(tiled), "backward data");
            Dense.BackwardWeights(width, xp, dyp, tp, 0, inW, rows, inW, outW);
            Dense.BiasGradient(width, dyp, dbt, rows, outW);
            Dense.PackedProduct(width, xp, 1, inW, dyp, outW, 1, null, pp, outW, rows, 0, inW, 0, outW, false, s, dbp);
            Assert.That(packed, Is.EqualTo(tiled), "backward weights");
            Assert.That(dbPacked, Is.EqualTo(dbTiled), "db");
        }
    }

    /// <summary>The first 64-byte boundary in a pinned array (the scratch a backend hands the packed product is aligned).</summary>
    static float* Aligned(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    /// <summary>A copy followed by one register of NaN, the readable slack the kernels may load.</summary>
    static float[] Slack(float[] a) => [.. a, .. Enumerable.Repeat(float.NaN, Dense.ReadSlackBytes / sizeof(float))];

    static void AssertRows(double[] expected, float[] got, int rows, int width, int start, int end)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = got[(r * width)..((r + 1) * width)];
            if (r >= start && r < end) AssertClose(expected[(r * width)..((r + 1) * width)], row, $"row {r}");
            else Assert.That(row, Is.All.NaN, $"row {r} is outside [{start}, {end}) and must stay untouched");
        }
    }
}
