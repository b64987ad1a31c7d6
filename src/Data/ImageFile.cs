using SkiaSharp;

namespace GpuSiamese.Data;

/// <summary>
/// Decoding of image files (PNG, JPEG, BMP, GIF, WebP; any size; grey, RGB, RGBA, palette, 16-bit) with SkiaSharp, and
/// the whole-image path to a stored 8-bit image: alpha composited on white, grey (ITU-R 601 luminance) or RGB,
/// area-averaged to the stored size, optionally inverted, rounded to bytes. Files that are empty, not an image,
/// corrupt or truncated, or over <see cref="MaxPixels"/> (refused from the header, before decoding) are
/// <see cref="InvalidDataException"/>s naming the file.
/// </summary>
public static class ImageFile
{
    public const long MaxPixels = 50_000_000;
    const long MaxFileBytes = 512L << 20;

    /// <summary>The file names (by extension, any case) that are read as images.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    public static bool HasImageExtension(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The decoded pixels as unpremultiplied RGBA bytes, row-major, and the image's size.</summary>
    public static (byte[] Rgba, int Width, int Height) DecodeRgba(string path)
    {
        long length = new FileInfo(path).Length;
        if (length == 0)
            throw new InvalidDataException($"{path}: empty file, expected an image (PNG, JPEG, BMP, GIF or WebP)");
        if (length > MaxFileBytes)
            throw new InvalidDataException($"{path}: {length} bytes, more than the {MaxFileBytes >> 20} MiB an image file may have here");
        byte[] bytes = File.ReadAllBytes(path);
        return DecodeRgba(bytes, path);
    }

    /// <summary>
    /// As <see cref="DecodeRgba(string)"/> for bytes already read; <paramref name="path"/> names them in messages, and
    /// images over <paramref name="maxPixels"/> (a server's smaller limit, say) are refused from the header.
    /// </summary>
    public static (byte[] Rgba, int Width, int Height) DecodeRgba(byte[] bytes, string path, long maxPixels = MaxPixels)
    {
        if (bytes.Length == 0)
            throw new InvalidDataException($"{path}: empty file, expected an image (PNG, JPEG, BMP, GIF or WebP)");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"{path}: not an image this program decodes (PNG, JPEG, BMP, GIF or WebP expected)");
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0)
            throw new InvalidDataException($"{path}: image of {info.Width}x{info.Height} pixels, expected a positive size");
        if (pixels > maxPixels)
            throw new InvalidDataException($"{path}: image of {info.Width}x{info.Height} = {pixels / 1e6:F1} megapixels, more than the {maxPixels / 1e6:0.#} megapixels accepted");

        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[pixels * 4];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba)
                result = codec.GetPixels(target, (IntPtr)p);
        }
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"{path}: the image data is truncated or corrupt ({result})");
        return (rgba, info.Width, info.Height);
    }

    /// <summary>Pixel <paramref name="i"/>'s grey level in [0,1], 1 = white: luminance 0.299R + 0.587G + 0.114B composited on white by its alpha.</summary>
    public static float GreyOnWhite(byte[] rgba, long i)
    {
        double r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2], a = rgba[4 * i + 3] / 255.0;
        double luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;
        return (float)(a * luminance + (1 - a));
    }

    /// <summary>Channel <paramref name="c"/> (0 R, 1 G, 2 B) of pixel <paramref name="i"/> in [0,1], composited on white by its alpha.</summary>
    public static float ChannelOnWhite(byte[] rgba, long i, int c)
    {
        double a = rgba[4 * i + 3] / 255.0;
        return (float)(a * rgba[4 * i + c] / 255.0 + (1 - a));
    }

    /// <summary>
    /// The whole image resized (stretched, as torchvision's Resize((h, w)) does) to <paramref name="shape"/> with the area
    /// filter, grey or RGB as the shape's channels say, inverted when <paramref name="invert"/> says so
    /// (<see cref="InvertMode.Auto"/>: when the border is nearer the brightest grey than the darkest), as bytes.
    /// </summary>
    public static byte[] ToStored(byte[] rgba, int width, int height, ImageShape shape, InvertMode invert)
    {
        long pixels = (long)width * height;
        var planes = new float[shape.Channels][];
        for (int c = 0; c < shape.Channels; c++)
        {
            var plane = new float[pixels];
            for (long i = 0; i < pixels; i++)
                plane[i] = shape.Channels == 1 ? GreyOnWhite(rgba, i) : ChannelOnWhite(rgba, i, c);
            planes[c] = plane;
        }
        var resized = new double[shape.Channels][];
        for (int c = 0; c < shape.Channels; c++)
            resized[c] = AreaResample.Crop(planes[c], width, 0, 0, width, height, shape.Width, shape.Height);
        bool flip = invert switch
        {
            InvertMode.Invert => true,
            InvertMode.NoInvert => false,
            _ => LightBackground(resized, shape),
        };
        var stored = new byte[shape.Size];
        int pixelsOut = shape.Height * shape.Width;
        for (int k = 0; k < pixelsOut; k++)
            for (int c = 0; c < shape.Channels; c++)
            {
                double v = flip ? 1 - resized[c][k] : resized[c][k];
                stored[k * shape.Channels + c] = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
            }
        return stored;
    }

    /// <summary>Decodes <paramref name="path"/> and returns <see cref="ToStored"/> of it.</summary>
    public static byte[] LoadStored(string path, ImageShape shape, InvertMode invert)
    {
        var (rgba, w, h) = DecodeRgba(path);
        return ToStored(rgba, w, h, shape, invert);
    }

    /// <summary>True when the median grey of the border lies nearer the brightest grey than the darkest (dark things on light paper).</summary>
    static bool LightBackground(double[][] planes, ImageShape shape)
    {
        int h = shape.Height, w = shape.Width, n = h * w;
        var grey = new double[n];
        for (int k = 0; k < n; k++)
        {
            grey[k] = planes.Length == 1 ? planes[0][k] : 0.299 * planes[0][k] + 0.587 * planes[1][k] + 0.114 * planes[2][k];
        }
        var border = new List<double>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (y == 0 || x == 0 || y == h - 1 || x == w - 1)
                    border.Add(grey[y * w + x]);
        border.Sort();
        double background = border[border.Count / 2];
        return background - grey.Min() > grey.Max() - background;
    }
}
