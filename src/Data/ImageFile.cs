using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    public static (byte[] Rgba, int Width, int Height) DecodeRgba(string path) => DecodeRgba(ReadFile(path), path);

    /// <summary>The bytes of the image file at <paramref name="path"/>; an empty or oversized file is refused naming it.</summary>
    public static byte[] ReadFile(string path)
    {
        long length = new FileInfo(path).Length;
        if (length == 0)
            throw new InvalidDataException($"{path}: empty file, expected an image (PNG, JPEG, BMP, GIF or WebP)");
        if (length > MaxFileBytes)
            throw new InvalidDataException($"{path}: {length} bytes, more than the {MaxFileBytes >> 20} MiB an image file may have here");
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// As <see cref="DecodeRgba(string)"/> for bytes already read; <paramref name="path"/> names them in messages, and
    /// images over <paramref name="maxPixels"/> (a server's smaller limit, say) are refused from the header.
    /// </summary>
    public static (byte[] Rgba, int Width, int Height) DecodeRgba(byte[] bytes, string path, long maxPixels = MaxPixels)
    {
        using var data = Open(bytes, path);
        using var codec = Codec(data, path, maxPixels);
        var info = codec.Info;
        var rgba = new byte[(long)info.Width * info.Height * 4];
        Pixels(codec, rgba, path);
        return (rgba, info.Width, info.Height);
    }

    /// <summary>
    /// The image in <paramref name="bytes"/> as grey levels (<see cref="GreyOnWhite(byte, byte, byte, byte)"/> per
    /// pixel), decoded through an RGBA buffer rented from the shared pool into a grey buffer rented from it too: a server
    /// preprocessing many uploads allocates nothing per image but the small things. The same values as
    /// <see cref="DecodeRgba(byte[], string, long)"/> then <see cref="GreyOnWhite(byte[], long)"/> on every pixel; the
    /// caller disposes the result, which returns its buffer.
    /// </summary>
    public static GreyImage DecodeGrey(byte[] bytes, string path, long maxPixels = MaxPixels)
    {
        using var data = Open(bytes, path);
        using var codec = Codec(data, path, maxPixels);
        var info = codec.Info;
        int pixels = info.Width * info.Height;
        var rgba = ArrayPool<byte>.Shared.Rent(pixels * 4);
        var grey = new GreyImage(info.Width, info.Height);
        try
        {
            Pixels(codec, rgba, path);
            ToGrey(rgba.AsSpan(0, pixels * 4), grey.Pixels);
            return grey;
        }
        catch
        {
            grey.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    /// <summary>
    /// Grey of each RGBA pixel. A drawing or a scan is mostly runs of one colour, so a pixel equal to the one before
    /// reuses its grey (the same value, without the arithmetic), and a block of 8 pixels all equal to it is one
    /// vector comparison and one vector store.
    /// </summary>
    static void ToGrey(ReadOnlySpan<byte> rgba, Span<float> grey)
    {
        var words = MemoryMarshal.Cast<byte, uint>(rgba);
        uint last = words[0];
        float value = GreyOnWhite(rgba[0], rgba[1], rgba[2], rgba[3]);
        int i = 0;
        while (i < grey.Length)
        {
            if (i + 8 <= grey.Length && Vector256.Create(words.Slice(i, 8)) == Vector256.Create(last))
            {
                Vector256.Create(value).CopyTo(grey.Slice(i, 8));
                i += 8;
                continue;
            }
            for (int end = Math.Min(grey.Length, i + 8); i < end; i++)
            {
                if (words[i] != last)
                {
                    last = words[i];
                    value = GreyOnWhite(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]);
                }
                grey[i] = value;
            }
        }
    }

    static SKData Open(byte[] bytes, string path)
    {
        if (bytes.Length == 0)
            throw new InvalidDataException($"{path}: empty file, expected an image (PNG, JPEG, BMP, GIF or WebP)");
        return SKData.CreateCopy(bytes);
    }

    /// <summary>The codec of an image of a positive size within <paramref name="maxPixels"/> (from the header, before decoding).</summary>
    static SKCodec Codec(SKData data, string path, long maxPixels)
    {
        var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"{path}: not an image this program decodes (PNG, JPEG, BMP, GIF or WebP expected)");
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        string? refusal =
            info.Width <= 0 || info.Height <= 0 ? $"{path}: image of {info.Width}x{info.Height} pixels, expected a positive size"
            : pixels > maxPixels ? $"{path}: image of {info.Width}x{info.Height} = {pixels / 1e6:F1} megapixels, more than the {maxPixels / 1e6:0.#} megapixels accepted"
            : null;
        if (refusal is null) return codec;
        codec.Dispose();
        throw new InvalidDataException(refusal);
    }

    /// <summary>Decodes into the first Width·Height·4 bytes of <paramref name="rgba"/>, unpremultiplied RGBA.</summary>
    static void Pixels(SKCodec codec, byte[] rgba, string path)
    {
        var info = codec.Info;
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba)
                result = codec.GetPixels(target, (IntPtr)p);
        }
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"{path}: the image data is truncated or corrupt ({result})");
    }

    /// <summary>Pixel <paramref name="i"/>'s grey level in [0,1], 1 = white: luminance 0.299R + 0.587G + 0.114B composited on white by its alpha.</summary>
    public static float GreyOnWhite(byte[] rgba, long i) => GreyOnWhite(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]);

    /// <summary>The grey level in [0,1] of one RGBA pixel composited on white (see <see cref="GreyOnWhite(byte[], long)"/>).</summary>
    public static float GreyOnWhite(byte red, byte green, byte blue, byte alpha)
    {
        double r = red, g = green, b = blue, a = alpha / 255.0;
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

/// <summary>A decoded image's grey levels (1 = white) in a buffer rented from the shared pool; Dispose returns it.</summary>
public sealed class GreyImage : IDisposable
{
    float[]? _buffer;

    public GreyImage(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        _buffer = ArrayPool<float>.Shared.Rent(width * height);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width·Height values, row-major.</summary>
    public Span<float> Pixels => (_buffer ?? throw new ObjectDisposedException(nameof(GreyImage))).AsSpan(0, Width * Height);

    public void Dispose()
    {
        if (_buffer is null) return;
        ArrayPool<float>.Shared.Return(_buffer);
        _buffer = null;
    }
}
