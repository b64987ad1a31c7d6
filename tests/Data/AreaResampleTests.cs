using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class AreaResampleTests
{
    /// <summary>
    /// The definition written plainly: target pixel (tx, ty) covers source [tx·cw/tw, (tx+1)·cw/tw) × [ty·ch/th, (ty+1)·ch/th);
    /// its value is Σ over the source pixels it overlaps of value × overlap area / target area, in double, summed row by row.
    /// </summary>
    static double[] Definition(float[] src, int stride, int x0, int y0, int cw, int ch, int tw, int th)
    {
        var result = new double[th * tw];
        double sx = (double)cw / tw, sy = (double)ch / th;
        for (int ty = 0; ty < th; ty++)
            for (int tx = 0; tx < tw; tx++)
            {
                double sum = 0;
                for (int y = 0; y < ch; y++)
                {
                    double oy = Math.Min((ty + 1) * sy, y + 1) - Math.Max(ty * sy, y);
                    if (oy <= 0) continue;
                    for (int x = 0; x < cw; x++)
                    {
                        double ox = Math.Min((tx + 1) * sx, x + 1) - Math.Max(tx * sx, x);
                        if (ox > 0) sum += src[(y0 + y) * stride + x0 + x] * ox * oy;
                    }
                }
                result[ty * tw + tx] = sum / (sx * sy);
            }
        return result;
    }

    [TestCase(28, 28, 14, 14)]
    [TestCase(280, 280, 20, 20)]
    [TestCase(13, 7, 20, 3)]
    [TestCase(5, 9, 5, 9)]
    [TestCase(1, 1, 4, 4)]
    [TestCase(105, 64, 28, 17)]
    [TestCase(17, 23, 1, 1)]
    public void MatchesTheAreaDefinition(int cw, int ch, int tw, int th)
    {
        var random = new Random(cw * 1000 + ch * 10 + tw);
        int stride = cw + 3, x0 = 2, y0 = 1;
        var src = Enumerable.Range(0, (ch + 2) * stride).Select(_ => (float)random.Next(256)).ToArray();
        var actual = AreaResample.Crop(src, stride, x0, y0, cw, ch, tw, th);
        var expected = Definition(src, stride, x0, y0, cw, ch, tw, th);
        Assert.That(actual, Has.Length.EqualTo(tw * th));
        for (int i = 0; i < actual.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-9 * (1 + Math.Abs(expected[i]))), $"pixel {i}");
    }

    [Test]
    public void AFlatImageStaysFlatAndRepeatedCallsAgree()
    {
        var src = Enumerable.Repeat(37f, 50 * 40).ToArray();
        var a = AreaResample.Crop(src, 50, 0, 0, 50, 40, 14, 11);
        Assert.That(a, Has.All.EqualTo(37.0).Within(1e-9));
        // Scratch is rented and returned: a second call of another shape, then the first again, gives the same bits.
        AreaResample.Crop(src, 50, 3, 2, 7, 5, 30, 30);
        Assert.That(AreaResample.Crop(src, 50, 0, 0, 50, 40, 14, 11), Is.EqualTo(a));
    }
}
