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
