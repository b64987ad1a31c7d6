using GpuSiamese.Host.Plots;
using GpuSiamese.Model;
using SkiaSharp;

namespace GpuSiamese.Tests.Host.Plots;

public class EmbeddingPlotTests
{
    [Test]
    public void Writes_a_png_with_a_colour_per_class_and_unseen_classes_marked()
    {
        var random = new Random(1);
        var e = new List<float>();
        var labels = new List<int>();
        for (int c = 0; c < 4; c++)
            for (int i = 0; i < 60; i++)
            {
                e.AddRange([(float)(c * 3 + random.NextDouble()), (float)(c % 2 * 4 + random.NextDouble()), (float)random.NextDouble()]);
                labels.Add(c);
            }
        var (x, y) = Pca.Project2(e.ToArray(), 3);
        using var dir = new TempFolder();
        string png = PlotSamples.PathFor(dir, "embeddings.png");
        EmbeddingPlot.Save(png, x, y, labels.ToArray(), ["T-shirt/top", "Trouser", "Bag", "Ankle boot"], [false, false, true, false], "Test embeddings", 700, 600);
        PngAssert.IsImage(png, 700, 600);
        using var bitmap = SKBitmap.Decode(png);
        var hues = new HashSet<int>();
        for (int py = 0; py < bitmap.Height; py += 2)
            for (int px = 0; px < bitmap.Width; px += 2)
            {
                var c = bitmap.GetPixel(px, py);
                c.ToHsv(out float h, out float s, out float v);
                if (s > 0.4 && v > 0.4)
                    hues.Add((int)(h / 20));
            }
        Assert.That(hues.Count, Is.GreaterThanOrEqualTo(3), "several class colours are drawn");
    }

    [Test]
    public void Many_classes_name_the_first_twenty_in_the_legend()
    {
        int n = 300;
        var x = Enumerable.Range(0, n).Select(i => (double)(i % 50)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => (double)(i / 50)).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => i % 60).ToArray();
        var names = Enumerable.Range(0, 60).Select(c => $"class {c}").ToArray();
        using var dir = new TempFolder();
        string png = PlotSamples.PathFor(dir, "many.png");
        EmbeddingPlot.Save(png, x, y, labels, names, new bool[60], "sixty classes");
        PngAssert.IsImage(png, 900, 760);
    }
}
