using GpuSiamese.Data;
using SkiaSharp;

namespace GpuSiamese.Perf;

/// <summary>
/// Numbered versions of one upload's preprocessing (image file bytes → the network's 196 inputs), kept to time the
/// current one (<see cref="DigitImage.Read(byte[], string, InvertMode, long)"/>) against side by side, each checked to
/// give the current one's bytes exactly. v1 is the first serve's: a fresh RGBA array and a fresh grey array per image
/// (both on the large-object heap for a 280x280 drawing), grey computed per pixel, every full-image pass scalar.
/// </summary>
public static class PreprocessVersions
{
    /// <summary>v1: the 28x28 bytes and the 196 inputs of the image in <paramref name="bytes"/> (no "no digit" checks).</summary>
    public static (byte[] Image28, float[] Image14) V1(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new InvalidDataException("not an image");
        var info = codec.Info;
        int w = info.Width, h = info.Height;
        var rgba = new byte[(long)w * h * 4];
        unsafe
        {
            fixed (byte* p = rgba)
                if (codec.GetPixels(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul), (IntPtr)p) != SKCodecResult.Success)
                    throw new InvalidDataException("truncated");
        }
        var grey = new float[(long)w * h];
        for (long i = 0; i < grey.Length; i++)
            grey[i] = ImageFile.GreyOnWhite(rgba, i);
        var image28 = Normalise(grey, w, h);
        var image14 = new float[ImageSet.Size];
        Downsample.Pool(image28, image14);
        return (image28, image14);
    }

    /// <summary>DigitImage's normalisation as v1 had it (automatic polarity), one scalar pass at a time.</summary>
    static byte[] Normalise(float[] grey, int w, int h)
    {
        const int box = 20;
        const double inkThreshold = 0.1;
        float background = BorderMedian(grey, w, h);
        float peak = 0, floor = 1;
        foreach (float v in grey)
        {
            peak = Math.Max(peak, v);
            floor = Math.Min(floor, v);
        }
        if (background - floor > peak - background)
        {
            for (int i = 0; i < grey.Length; i++)
                grey[i] = 1 - grey[i];
            (background, peak, floor) = (1 - background, 1 - floor, 1 - peak);
        }
        var result = new byte[ImageSet.RawSize];
        if (peak - background < 1e-3f)
            background = floor;
        if (peak - background < 1e-3f)
            return result;
        float range = peak - background;
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                float v = Math.Clamp((grey[i] - background) / range, 0f, 1f);
                grey[i] = v;
                if (v > inkThreshold)
                {
                    x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
                    y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
                }
            }
        if (x1 < 0)
            return result;
        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        double scale = (double)box / Math.Max(cw, ch);
        int tw = Math.Clamp((int)Math.Round(cw * scale), 1, box);
        int th = Math.Clamp((int)Math.Round(ch * scale), 1, box);
        var fitted = AreaResample.Crop(grey, w, x0, y0, cw, ch, tw, th);
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++)
            {
                double v = fitted[y * tw + x];
                mass += v; mx += v * x; my += v * y;
            }
        int ox = mass > 0 ? (int)Math.Round(13.5 - mx / mass) : (ImageSet.RawSide - tw) / 2;
        int oy = mass > 0 ? (int)Math.Round(13.5 - my / mass) : (ImageSet.RawSide - th) / 2;
        ox = Math.Clamp(ox, 0, ImageSet.RawSide - tw);
        oy = Math.Clamp(oy, 0, ImageSet.RawSide - th);
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++)
                result[(oy + y) * ImageSet.RawSide + ox + x] = (byte)Math.Clamp(Math.Round(fitted[y * tw + x] * 255), 0, 255);
        return result;
    }

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
