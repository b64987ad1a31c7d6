using System.Globalization;
using SkiaSharp;

namespace GpuSiamese.Host.Plots;

/// <summary>
/// errors.png, drawn with SkiaSharp: two columns of image pairs — the worst false accepts and the worst false
/// rejects — each image (14x14 for MNIST; grey or RGB, channels last, of any size) fitted into an 84x84 cell with hard
/// pixel edges, its distance beside it.
/// </summary>
public static class ErrorGallery
{
    const int Cell = 84;
    const int Gap = 8;
    const int TextWidth = 120;
    const int ColumnWidth = Gap + Cell + Gap + Cell + Gap + TextWidth;
    const int Header = 74;
    const int RowHeight = Cell + Gap;

    public static int Width => 2 * ColumnWidth + 3 * Gap;
    public static int Height(int rows) => Header + Math.Max(rows, 1) * RowHeight + Gap;

    public static void Save(string path, IReadOnlyList<ErrorExample> falseAccepts, IReadOnlyList<ErrorExample> falseRejects,
        double threshold, GpuSiamese.Data.ImageShape? shape = null, string noun = "digit")
    {
        var s = shape ?? GpuSiamese.Data.ImageSet.DigitShape;
        int rows = Math.Max(falseAccepts.Count, falseRejects.Count);
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height(rows), SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var title = new SKFont(typeface, 18);
        using var text = new SKFont(typeface, 14);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };

        var c = CultureInfo.InvariantCulture;
        canvas.DrawText(string.Create(c, $"Worst errors at threshold E_w = {threshold:F3}"), Gap, 24, title, ink);
        string plural = noun == "class" ? "classes" : noun + "s";
        DrawColumn(canvas, Gap, $"false accepts: different {plural}, E_w ≤ t", falseAccepts, s, text, ink);
        DrawColumn(canvas, 2 * Gap + ColumnWidth, $"false rejects: same {noun}, E_w > t", falseRejects, s, text, ink);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    static void DrawColumn(SKCanvas canvas, int x0, string heading, IReadOnlyList<ErrorExample> examples, GpuSiamese.Data.ImageShape shape,
        SKFont font, SKPaint ink)
    {
        canvas.DrawText(heading, x0 + Gap, 56, font, ink);
        if (examples.Count == 0)
        {
            canvas.DrawText("none", x0 + Gap, Header + 20, font, ink);
            return;
        }
        for (int r = 0; r < examples.Count; r++)
        {
            int y = Header + r * RowHeight;
            DrawImage(canvas, examples[r].Left, shape, x0 + Gap, y);
            DrawImage(canvas, examples[r].Right, shape, x0 + 2 * Gap + Cell, y);
            canvas.DrawText(string.Create(CultureInfo.InvariantCulture, $"E_w = {examples[r].Distance:F3}"),
                x0 + 3 * Gap + 2 * Cell, y + Cell / 2 + 5, font, ink);
        }
    }

    /// <summary>Values as the network reads them (MNIST: 0 = black background, 1 = white ink); each pixel a square of Cell / the larger side.</summary>
    static void DrawImage(SKCanvas canvas, float[] pixels, GpuSiamese.Data.ImageShape shape, int x, int y)
    {
        using var paint = new SKPaint { IsAntialias = false };
        float scale = (float)Cell / Math.Max(shape.Height, shape.Width);
        static byte Byte(float v) => (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);
        for (int row = 0; row < shape.Height; row++)
        for (int col = 0; col < shape.Width; col++)
        {
            int at = (row * shape.Width + col) * shape.Channels;
            byte r = Byte(pixels[at]);
            paint.Color = shape.Channels == 3 ? new SKColor(r, Byte(pixels[at + 1]), Byte(pixels[at + 2])) : new SKColor(r, r, r);
            canvas.DrawRect(x + col * scale, y + row * scale, scale, scale, paint);
        }
        using var frame = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        canvas.DrawRect(x - 0.5f, y - 0.5f, Cell + 1, Cell + 1, frame);
    }
}
