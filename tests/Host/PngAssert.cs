using SkiaSharp;

namespace GpuSiamese.Tests.Host;

/// <summary>Decodes a PNG back with SkiaSharp and checks its size and that it is not one flat colour.</summary>
public static class PngAssert
{
    public static void IsImage(string path, int width, int height)
    {
        Assert.That(File.Exists(path), Is.True, path);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.That(bitmap, Is.Not.Null, "decodes");
        Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((width, height)));
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 7)
            for (int x = 0; x < bitmap.Width; x += 7)
                colours.Add(bitmap.GetPixel(x, y));
        Assert.That(colours.Count, Is.GreaterThan(2), "something is drawn");
    }
}
