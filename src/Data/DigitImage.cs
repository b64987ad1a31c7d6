using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using SkiaSharp;

namespace GpuSiamese.Data;

/// <summary>
/// Turns an image file (PNG, JPEG, BMP, GIF, WebP; any size, colour or grey) into the network's 14x14 input the
/// way MNIST was made: grey (alpha composited on white), inverted when the digit is dark on light so ink is white
/// on black, contrast stretched from the background level to the brightest ink, cropped to the ink's bounding box,
/// fitted into 20x20 keeping its aspect ratio (area averaging), placed in 28x28 with its centre of mass at the
/// centre, quantised to bytes, then pooled 2x2 exactly as MNIST is (<see cref="Downsample.Pool(ReadOnlySpan{byte}, Span{float})"/>).
/// Files that are empty, not an image, corrupt, or over 50 megapixels (refused from the header, before decoding) are
/// <see cref="InvalidDataException"/>s naming the file, and so are images that hold no digit (<see cref="Read"/> says
/// which: too small, one flat colour, too little contrast, no ink, ink over most of the image); borderline images
/// load with a warning.
/// </summary>
public static class DigitImage
{
    public const long MaxPixels = ImageFile.MaxPixels;
    const int Box = 20;
    /// <summary>Ink is what stands above this fraction of the stretched range: low enough for faint strokes, high enough to skip paper noise.</summary>
    const double InkThreshold = 0.1;

    // What counts as "no digit" (refused) and as borderline (a warning). Ink is a pixel above InkThreshold of the
    // stretched range after the dark-on-light decision; the contrast is that range (ink level minus paper level, 0..1).
    /// <summary>Images narrower or lower than this many pixels are refused: too small to hold a digit.</summary>
    public const int MinSide = 5;
    /// <summary>Below this contrast the image is refused as blank (a page with compression or scanner noise).</summary>
    public const double MinContrast = 0.08;
    /// <summary>Below this contrast the image loads with a warning (faint).</summary>
    public const double FaintContrast = 0.25;
    /// <summary>Ink over more than this fraction of the image is refused: no digit on a plain background.</summary>
    public const double MaxInkFraction = 0.6;
    /// <summary>Ink over more than this fraction loads with a warning (MNIST's digits cover about 19% of their 28x28).</summary>
    public const double DenseInkFraction = 0.35;
    /// <summary>Ink under this fraction of the image loads with a warning (a speck rather than a digit?).</summary>
    public const double SparseInkFraction = 0.002;

    /// <summary>A digit image as the network sees it, and the warnings about borderline content (each naming the file).</summary>
    public sealed record Preprocessed(byte[] Image28, float[] Image14, IReadOnlyList<string> Warnings);

    /// <summary>
    /// Reads, checks and preprocesses the image at <paramref name="path"/>. An image with no digit is refused with an
    /// <see cref="InvalidDataException"/> naming the file and what was found; a borderline one gets warnings.
    /// </summary>
    public static Preprocessed Read(string path, InvertMode mode = InvertMode.Auto) => Read(ImageFile.ReadFile(path), path, mode);

    /// <summary>
    /// As <see cref="Read(string, InvertMode)"/> for an image already in memory (an upload); <paramref name="source"/>
    /// names it in messages, and images over <paramref name="maxPixels"/> are refused from the header. This is the one
    /// path from image file bytes to the network's input, for files and uploads alike: the image is decoded into pooled
    /// buffers (<see cref="ImageFile.DecodeGrey"/>) and normalised in place there, so only the small results are new.
    /// </summary>
    public static Preprocessed Read(byte[] bytes, string source, InvertMode mode = InvertMode.Auto, long maxPixels = MaxPixels)
    {
        using var grey = ImageFile.DecodeGrey(bytes, source, maxPixels);
        return Check(grey.Pixels, grey.Width, grey.Height, source, mode);
    }

    static Preprocessed Check(Span<float> grey, int w, int h, string path, InvertMode mode)
    {
        if (w < MinSide || h < MinSide)
            throw new InvalidDataException($"{path}: no digit: the image is {w}x{h} pixels, too small to hold one ({MinSide}x{MinSide} at least)");
        var (image28, found) = Normalise(grey, w, h, mode);
        var warnings = found.Check(path, mode);
        var image14 = new float[ImageSet.Size];
        Downsample.Pool(image28, image14);
        return new Preprocessed(image28, image14, warnings);
    }

    /// <summary>The 196 floats in [0,1] the network sees for the image at <paramref name="path"/> (see <see cref="Read"/>).</summary>
    public static float[] Load(string path, InvertMode mode = InvertMode.Auto) => Read(path, mode).Image14;

    /// <summary>The 28x28 bytes (white ink on black, MNIST's layout) before the 2x2 pool (see <see cref="Read"/>).</summary>
    public static byte[] Load28(string path, InvertMode mode = InvertMode.Auto) => Read(path, mode).Image28;

    /// <summary>What the preprocessing found: the contrast (0..1), the fraction of the image's pixels that are ink, the size.</summary>
    internal readonly record struct Findings(double Contrast, double InkFraction, int Width, int Height)
    {
        /// <summary>Throws when the findings say "no digit"; returns the warnings of a borderline image.</summary>
        public IReadOnlyList<string> Check(string path, InvertMode mode)
        {
            var c = System.Globalization.CultureInfo.InvariantCulture;
            string forced = mode switch
            {
                InvertMode.Invert => " (with --invert: try without it)",
                InvertMode.NoInvert => " (with --no-invert: try without it)",
                _ => "",
            };
            if (Contrast < 1e-3)
                throw new InvalidDataException($"{path}: no digit: the image is one flat colour");
            if (Contrast < MinContrast)
                throw new InvalidDataException(string.Create(c,
                    $"{path}: no digit: the ink differs from the background by {Contrast:P1} of full scale only (a blank page?)"));
            if (InkFraction == 0)
                throw new InvalidDataException($"{path}: no digit: no ink stands out from the background{forced}");
            if (InkFraction > MaxInkFraction)
                throw new InvalidDataException(string.Create(c,
                    $"{path}: no digit: ink covers {InkFraction:P0} of the image, expected a digit on a plain background{forced}"));
            var warnings = new List<string>();
            if (Contrast < FaintContrast)
                warnings.Add(string.Create(c, $"{path}: faint image: the ink differs from the background by {Contrast:P0} of full scale"));
            if (InkFraction > DenseInkFraction)
                warnings.Add(string.Create(c, $"{path}: ink covers {InkFraction:P0} of the image; is it one digit on a plain background?{forced}"));
            if (InkFraction < SparseInkFraction)
                warnings.Add(string.Create(c, $"{path}: very little ink ({InkFraction:P2} of the image); is the digit visible?"));
            if (Width < ImageSet.RawSide && Height < ImageSet.RawSide)
                warnings.Add($"{path}: a small image ({Width}x{Height} pixels) is enlarged to fit MNIST's 20x20 box");
            return warnings;
        }
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

    /// <summary>
    /// Grey image (1 = white) to MNIST's 28x28 bytes: polarity, stretch, crop, fit into 20x20, centre by mass. Works in
    /// place on <paramref name="grey"/>. The passes over every pixel run 8 floats at a time; each value is the scalar
    /// formula's (the same IEEE operations), so the result does not depend on the vector width.
    /// </summary>
    internal static (byte[] Image28, Findings Found) Normalise(Span<float> grey, int w, int h, InvertMode mode)
    {
        float background = BorderMedian(grey, w, h);
        var (floor, peak) = Range(grey);
        bool invert = mode switch
        {
            InvertMode.Invert => true,
            InvertMode.NoInvert => false,
            // The paper is nearer the brightest pixel than the darkest: dark ink, whatever the lighting.
            _ => background - floor > peak - background,
        };
        if (invert)
        {
            Invert(grey);
            (background, peak, floor) = (1 - background, 1 - floor, 1 - peak);
        }
        var result = new byte[ImageSet.RawSize];
        // A border as bright as the brightest pixel (a forced polarity that makes the paper the ink) is stretched
        // from the darkest pixel instead, so the output shows what was asked for rather than nothing.
        if (peak - background < 1e-3f)
            background = floor;
        if (peak - background < 1e-3f)
            return (result, new Findings(0, 0, w, h)); // one flat colour: no ink at all

        // Stretch so the background goes to 0 and the brightest ink to 1, as on MNIST's clean black paper.
        float range = peak - background;
        var (x0, y0, x1, y1, ink) = Stretch(grey, w, h, background, range);
        var found = new Findings(range, (double)ink / grey.Length, w, h);
        if (x1 < 0)
            return (result, found);

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
        return (result, found);
    }

    /// <summary>Median of the outermost ring of pixels: the paper, whatever the digit's colour.</summary>
    static float BorderMedian(ReadOnlySpan<float> grey, int w, int h)
    {
        int count = h > 1 ? 2 * w : w;
        if (h > 2) count += w > 1 ? 2 * (h - 2) : h - 2;
        var rented = ArrayPool<float>.Shared.Rent(count);
        try
        {
            var border = rented.AsSpan(0, count);
            int n = 0;
            for (int x = 0; x < w; x++)
            {
                border[n++] = grey[x];
                if (h > 1) border[n++] = grey[(h - 1) * w + x];
            }
            for (int y = 1; y < h - 1; y++)
            {
                border[n++] = grey[y * w];
                if (w > 1) border[n++] = grey[y * w + w - 1];
            }
            return Select(border, count / 2);
        }
        finally { ArrayPool<float>.Shared.Return(rented); }
    }

    /// <summary>
    /// The value that would stand at <paramref name="k"/> if <paramref name="values"/> were sorted (Hoare's selection:
    /// linear time, where a sort of the border took longer than the rest of the normalisation). Reorders the span.
    /// </summary>
    static float Select(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            float pivot = values[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            // [lo, j] ≤ pivot ≤ [i, hi], and anything between j and i equals the pivot.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }

    /// <summary>The least and the greatest value (starting from 1 and 0, as grey levels in [0,1] do).</summary>
    static (float Floor, float Peak) Range(ReadOnlySpan<float> grey)
    {
        var floors = Vector256.Create(1f);
        var peaks = Vector256<float>.Zero;
        int i = 0;
        for (; i <= grey.Length - 8; i += 8)
        {
            var v = Vector256.Create(grey.Slice(i, 8));
            floors = Vector256.Min(floors, v);
            peaks = Vector256.Max(peaks, v);
        }
        float floor = 1, peak = 0;
        for (int k = 0; k < 8; k++)
        {
            floor = Math.Min(floor, floors[k]);
            peak = Math.Max(peak, peaks[k]);
        }
        for (; i < grey.Length; i++)
        {
            peak = Math.Max(peak, grey[i]);
            floor = Math.Min(floor, grey[i]);
        }
        return (floor, peak);
    }

    /// <summary>v → 1 − v on every pixel.</summary>
    static void Invert(Span<float> grey)
    {
        var one = Vector256.Create(1f);
        int i = 0;
        for (; i <= grey.Length - 8; i += 8)
            (one - Vector256.Create(grey.Slice(i, 8))).CopyTo(grey.Slice(i, 8));
        for (; i < grey.Length; i++)
            grey[i] = 1 - grey[i];
    }

    /// <summary>
    /// v → clamp((v − background) / range, 0, 1) on every pixel; the ink (v > <see cref="InkThreshold"/>) counted and
    /// its bounding box found (x1 &lt; 0 when there is none). A float v is above the double 0.1 exactly when v ≥ 0.1f,
    /// the float nearest it, which is the vector comparison.
    /// </summary>
    static (int X0, int Y0, int X1, int Y1, long Ink) Stretch(Span<float> grey, int w, int h, float background, float range)
    {
        var bg = Vector256.Create(background);
        var scale = Vector256.Create(range);
        var zero = Vector256<float>.Zero;
        var one = Vector256.Create(1f);
        var threshold = Vector256.Create((float)InkThreshold);
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        long ink = 0;
        for (int y = 0; y < h; y++)
        {
            var row = grey.Slice(y * w, w);
            int first = -1, last = -1;
            int x = 0;
            for (; x <= w - 8; x += 8)
            {
                var v = Vector256.Min(Vector256.Max((Vector256.Create(row.Slice(x, 8)) - bg) / scale, zero), one);
                v.CopyTo(row.Slice(x, 8));
                uint mask = Vector256.GreaterThanOrEqual(v, threshold).ExtractMostSignificantBits();
                if (mask == 0) continue;
                ink += BitOperations.PopCount(mask);
                if (first < 0) first = x + BitOperations.TrailingZeroCount(mask);
                last = x + 31 - BitOperations.LeadingZeroCount(mask);
            }
            for (; x < w; x++)
            {
                float v = Math.Clamp((row[x] - background) / range, 0f, 1f);
                row[x] = v;
                if (v > InkThreshold)
                {
                    ink++;
                    if (first < 0) first = x;
                    last = x;
                }
            }
            if (first < 0) continue;
            x0 = Math.Min(x0, first); x1 = Math.Max(x1, last);
            y0 = Math.Min(y0, y); y1 = y;
        }
        return (x0, y0, x1, y1, ink);
    }
}
