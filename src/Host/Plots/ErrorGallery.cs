using System.Globalization;
using SkiaSharp;

namespace GpuSiamese.Host.Plots;

/// <summary>
/// errors.png, drawn with SkiaSharp: two columns of image pairs — the worst false accepts and the worst false
/// rejects — each 14x14 image enlarged with hard pixel edges, its distance beside it.
/// </summary>
public static class ErrorGallery
{
    const int Side = 14;
    const int Scale = 6;
    const int Cell = Side * Scale;
    const int Gap = 8;
    const int TextWidth = 120;
    const int ColumnWidth = Gap + Cell + Gap + Cell + Gap + TextWidth;
    const int Header = 74;
    const int RowHeight = Cell + Gap;

    public static int Width => 2 * ColumnWidth + 3 * Gap;
    public static int Height(int rows) => Header + Math.Max(rows, 1) * RowHeight + Gap;

    public static void Save(string path, IReadOnlyList<ErrorExample> falseAccepts, IReadOnlyList<ErrorExample> falseRejects,
        double threshold)
    {
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
        DrawColumn(canvas, Gap, "false accepts: different digits, E_w ≤ t", falseAccepts, text, ink);
        DrawColumn(canvas, 2 * Gap + ColumnWidth, "false rejects: same digit, E_w > t", falseRejects, text, ink);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }

    static void DrawColumn(SKCanvas canvas, int x0, string heading, IReadOnlyList<ErrorExample> examples, SKFont font, SKPaint ink)
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
            DrawDigit(canvas, examples[r].Left, x0 + Gap, y);
            DrawDigit(canvas, examples[r].Right, x0 + 2 * Gap + Cell, y);
            canvas.DrawText(string.Create(CultureInfo.InvariantCulture, $"E_w = {examples[r].Distance:F3}"),
                x0 + 3 * Gap + 2 * Cell, y + Cell / 2 + 5, font, ink);
        }
    }

    /// <summary>MNIST's polarity: 0 = black background, 1 = white ink; each pixel a Scale x Scale square.</summary>
    static void DrawDigit(SKCanvas canvas, float[] pixels, int x, int y)
    {
        using var paint = new SKPaint { IsAntialias = false };
        for (int row = 0; row < Side; row++)
        for (int col = 0; col < Side; col++)
        {
            byte v = (byte)Math.Clamp((int)Math.Round(pixels[row * Side + col] * 255), 0, 255);
            paint.Color = new SKColor(v, v, v);
            canvas.DrawRect(x + col * Scale, y + row * Scale, Scale, Scale, paint);
        }
        using var frame = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        canvas.DrawRect(x - 0.5f, y - 0.5f, Cell + 1, Cell + 1, frame);
    }
}
