using SkiaSharp;

namespace GpuSiamese.Tests.Data;

/// <summary>
/// Small generated image folders in ImageFolder's layout (one subfolder per class) of colour pictures: each class a hue of
/// its own, each image a noisy background of that hue with a lighter disc at a random place, so that classes differ in
/// colour and images within a class differ in content. For models of RGB folders in the export and serve tests.
/// </summary>
public static class ColourFolders
{
    /// <summary>Three classes, one with a space in its name, in ordinal order (as ImageFolder orders them).</summary>
    public static IReadOnlyList<(string Name, SKColor Hue)> Classes { get; } =
    [
        ("bus", new SKColor(220, 160, 20)),
        ("dinosaur", new SKColor(40, 150, 60)),
        ("red flower", new SKColor(200, 30, 60)),
    ];

    /// <summary>Writes <paramref name="perClass"/> PNGs of <paramref name="width"/>x<paramref name="height"/> into each class folder under <paramref name="root"/>.</summary>
    public static string Write(string root, int perClass, int width = 24, int height = 18, int seed = 1)
    {
        var random = new Random(seed);
        foreach (var (name, hue) in Classes)
        {
            string folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < perClass; i++)
                File.WriteAllBytes(Path.Combine(folder, $"{i:D3}.png"), Png(hue, width, height, random));
        }
        return root;
    }

    /// <summary>One picture of <paramref name="hue"/>: noise around it, and a lighter disc.</summary>
    public static byte[] Png(SKColor hue, int width, int height, Random random)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double f = 0.45 + 0.4 * random.NextDouble();
                bitmap.SetPixel(x, y, new SKColor((byte)(hue.Red * f), (byte)(hue.Green * f), (byte)(hue.Blue * f)));
            }
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = new SKColor((byte)Math.Min(255, hue.Red + 60), (byte)Math.Min(255, hue.Green + 60), (byte)Math.Min(255, hue.Blue + 60)), IsAntialias = true })
            canvas.DrawCircle((float)(width * (0.25 + 0.5 * random.NextDouble())), (float)(height * (0.25 + 0.5 * random.NextDouble())),
                (float)(Math.Min(width, height) * (0.15 + 0.15 * random.NextDouble())), paint);
        return DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    /// <summary>Inputs in our channels-last layout [n, H, W, C] to ONNX's NCHW [n, C, H, W].</summary>
    public static float[] ToNchw(float[] channelsLast, int count, int channels, int height, int width)
    {
        var result = new float[channelsLast.Length];
        int size = channels * height * width;
        for (int n = 0; n < count; n++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    for (int c = 0; c < channels; c++)
                        result[n * size + (c * height + y) * width + x] = channelsLast[n * size + (y * width + x) * channels + c];
        return result;
    }
}
