using SkiaSharp;

namespace GpuSiamese.Data;

/// <summary>
/// Turns an image file (PNG, JPEG, BMP, GIF, WebP; any size, colour or grey) into the network's 14x14 input the
/// way MNIST was made: grey (alpha composited on white), inverted when the digit is dark on light so ink is white
/// on black, contrast stretched from the background level to the brightest ink, cropped to the ink's bounding box,
/// fitted into 20x20 keeping its aspect ratio (area averaging), placed in 28x28 with its centre of mass at the
/// centre, quantised to bytes, then pooled 2x2 exactly as MNIST is (<see cref="Downsample.Pool(ReadOnlySpan{byte}, Span{float})"/>).
/// An image with no ink gives all zeros. Files that are empty, not an image, corrupt, or over 50 megapixels
/// (refused from the header, before decoding) are <see cref="InvalidDataException"/>s naming the file.
/// </summary>
public static class DigitImage
{
    public const long MaxPixels = ImageFile.MaxPixels;
    const int Box = 20;
    /// <summary>Ink is what stands above this fraction of the stretched range: low enough for faint strokes, high enough to skip paper noise.</summary>
    const double InkThreshold = 0.1;

    /// <summary>The 196 floats in [0,1] the network sees for the image at <paramref name="path"/>.</summary>
    public static float[] Load(string path, InvertMode mode = InvertMode.Auto)
    {
        var out14 = new float[ImageSet.Size];
        Downsample.Pool(Load28(path, mode), out14);
        return out14;
    }

    /// <summary>The 28x28 bytes (white ink on black, MNIST's layout) before the 2x2 pool.</summary>
    public static byte[] Load28(string path, InvertMode mode = InvertMode.Auto)
    {
        var (grey, w, h) = DecodeGrey(path);
        return Normalise(grey, w, h, mode);
    }

    /// <summary>Writes a 14x14 image as a PNG, each pixel a 20x20 block, so a person can see what the network saw.</summary>
    public static void SavePreprocessed(string path, ReadOnlySpan<float> image14)
    {
        if (image14.Length != ImageSet.Size)
            throw new ArgumentException($"expected {ImageSet.Size} pixels, got {image14.Length}", nameof(image14));
        const int scale = 20;
        int side = ImageSet.Side * scale;
        using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Gray8, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        int stride = bitmap.RowBytes;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                float v = image14[(y / scale) * ImageSet.Side + x / scale];
                pixels[y * stride + x] = (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new IOException($"{path}: PNG encoding failed");
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    /// <summary>Decodes to grey in [0,1], 1 = white, with transparent pixels composited on white.</summary>
    static (float[] Grey, int Width, int Height) DecodeGrey(string path)
    {
        var (rgba, width, height) = ImageFile.DecodeRgba(path);
        long pixels = (long)width * height;
        var grey = new float[pixels];
        for (long i = 0; i < pixels; i++)
            grey[i] = ImageFile.GreyOnWhite(rgba, i);
        return (grey, width, height);
    }

    /// <summary>Grey image (1 = white) to MNIST's 28x28 bytes: polarity, stretch, crop, fit into 20x20, centre by mass.</summary>
    internal static byte[] Normalise(float[] grey, int w, int h, InvertMode mode)
    {
        float background = BorderMedian(grey, w, h);
        float peak = 0, floor = 1;
        foreach (float v in grey)
        {
            peak = Math.Max(peak, v);
            floor = Math.Min(floor, v);
        }
        bool invert = mode switch
        {
            InvertMode.Invert => true,
            InvertMode.NoInvert => false,
            // The paper is nearer the brightest pixel than the darkest: dark ink, whatever the lighting.
            _ => background - floor > peak - background,
        };
        if (invert)
        {
            for (int i = 0; i < grey.Length; i++)
                grey[i] = 1 - grey[i];
            (background, peak, floor) = (1 - background, 1 - floor, 1 - peak);
        }
        var result = new byte[ImageSet.RawSize];
        // A border as bright as the brightest pixel (a forced polarity that makes the paper the ink) is stretched
        // from the darkest pixel instead, so the output shows what was asked for rather than nothing.
        if (peak - background < 1e-3f)
            background = floor;
        if (peak - background < 1e-3f)
            return result; // one flat colour: no ink at all

        // Stretch so the background goes to 0 and the brightest ink to 1, as on MNIST's clean black paper.
        float range = peak - background;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float v = Math.Clamp((grey[i] - background) / range, 0f, 1f);
                grey[i] = v;
                if (v > InkThreshold)
                {
                    x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
                    y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
                }
            }
        if (x1 < 0)
            return result;

        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        double scale = (double)Box / Math.Max(cw, ch);
        int tw = Math.Clamp((int)Math.Round(cw * scale), 1, Box);
        int th = Math.Clamp((int)Math.Round(ch * scale), 1, Box);
        var fitted = AreaResample.Crop(grey, w, x0, y0, cw, ch, tw, th);

        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++)
            {
                double v = fitted[y * tw + x];
                mass += v; mx += v * x; my += v * y;
            }
        // Pixel centres sit at integer indices, so the field's centre is at 13.5; shift by whole pixels as MNIST did.
        int ox = mass > 0 ? (int)Math.Round(13.5 - mx / mass) : (ImageSet.RawSide - tw) / 2;
        int oy = mass > 0 ? (int)Math.Round(13.5 - my / mass) : (ImageSet.RawSide - th) / 2;
        ox = Math.Clamp(ox, 0, ImageSet.RawSide - tw);
        oy = Math.Clamp(oy, 0, ImageSet.RawSide - th);
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++)
                result[(oy + y) * ImageSet.RawSide + ox + x] = (byte)Math.Clamp(Math.Round(fitted[y * tw + x] * 255), 0, 255);
        return result;
    }

    /// <summary>Median of the outermost ring of pixels: the paper, whatever the digit's colour.</summary>
    static float BorderMedian(float[] grey, int w, int h)
    {
        var border = new List<float>(2 * (w + h));
        for (int x = 0; x < w; x++)
        {
            border.Add(grey[x]);
            if (h > 1) border.Add(grey[(h - 1) * w + x]);
        }
        for (int y = 1; y < h - 1; y++)
        {
            border.Add(grey[y * w]);
            if (w > 1) border.Add(grey[y * w + w - 1]);
        }
        border.Sort();
        return border[border.Count / 2];
    }
}
