using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace GpuSiamese.Tests.Data;

/// <summary>Digits drawn with SkiaSharp strokes, and image files built by hand, for the image-file tests.</summary>
public static class DrawnDigits
{
    /// <summary>
    /// A "7" of stroke lines in a box of the given size whose top-left corner is at (x, y) on a canvas of
    /// width x height filled with paper.
    /// </summary>
    public static SKBitmap Seven(int width, int height, float x, float y, float size, SKColor ink, SKColor paper)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(paper);
        using var paint = new SKPaint { Color = ink, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = size * 0.12f, StrokeCap = SKStrokeCap.Round };
        canvas.DrawLine(x, y, x + 0.7f * size, y, paint);
        canvas.DrawLine(x + 0.7f * size, y, x + 0.25f * size, y + size, paint);
        canvas.DrawLine(x + 0.2f * size, y + 0.5f * size, x + 0.6f * size, y + 0.5f * size, paint);
        return bitmap;
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 95)
    {
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>An uncompressed 24-bit BMP (bottom-up rows padded to 4 bytes), written by hand since Skia has no BMP encoder.</summary>
    public static byte[] Bmp(SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height, stride = (3 * w + 3) / 4 * 4;
        var bytes = new byte[54 + stride * h];
        bytes[0] = (byte)'B'; bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var c = bitmap.GetPixel(x, h - 1 - y);
                int o = 54 + y * stride + 3 * x;
                bytes[o] = c.Blue; bytes[o + 1] = c.Green; bytes[o + 2] = c.Red;
            }
        return bytes;
    }

    /// <summary>
    /// A GIF written by hand (Skia has no GIF encoder): 4 grey levels, LZW with 3-bit codes kept constant by a
    /// clear code before every two literals, so no dictionary entry is ever used.
    /// </summary>
    public static byte[] Gif(SKBitmap bitmap)
    {
        int w = bitmap.Width, h = bitmap.Height;
        var bytes = new List<byte>();
        bytes.AddRange("GIF89a"u8.ToArray());
        bytes.AddRange(BitConverter.GetBytes((ushort)w));
        bytes.AddRange(BitConverter.GetBytes((ushort)h));
        bytes.AddRange([0x81, 0, 0]); // global colour table of 2^(1+1) = 4 entries
        foreach (byte g in new byte[] { 0, 85, 170, 255 })
            bytes.AddRange([g, g, g]);
        bytes.Add(0x2C);
        bytes.AddRange([0, 0, 0, 0]);
        bytes.AddRange(BitConverter.GetBytes((ushort)w));
        bytes.AddRange(BitConverter.GetBytes((ushort)h));
        bytes.Add(0);
        bytes.Add(2); // LZW minimum code size: literals 0..3, clear 4, end 5
        var codes = new List<int>();
        for (int i = 0; i < w * h; i++)
        {
            if (i % 2 == 0)
                codes.Add(4);
            var c = bitmap.GetPixel(i % w, i / w);
            codes.Add((int)Math.Round((0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue) / 85));
        }
        codes.Add(5);
        var packed = new List<byte>();
        int acc = 0, bits = 0;
        foreach (int code in codes)
        {
            acc |= code << bits;
            bits += 3;
            while (bits >= 8)
            {
                packed.Add((byte)acc);
                acc >>= 8;
                bits -= 8;
            }
        }
        if (bits > 0)
            packed.Add((byte)acc);
        for (int i = 0; i < packed.Count; i += 255)
        {
            int n = Math.Min(255, packed.Count - i);
            bytes.Add((byte)n);
            bytes.AddRange(packed.GetRange(i, n));
        }
        bytes.Add(0);
        bytes.Add(0x3B);
        return [.. bytes];
    }

    /// <summary>A grey 8-bit PNG whose header says width x height while its data is one short row: refused by size alone.</summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth; colour type 0 (grey), compression, filter, interlace all 0
        Chunk(ms, "IHDR", ihdr);
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true))
                zs.Write(new byte[1 + width % 1000]);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    public static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(typeAndData));
        s.Write(len);
    }

    static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Centre of mass (x, y) of a 28x28 byte image, pixel centres at integer indices.</summary>
    public static (double X, double Y) CentreOfMass(byte[] image28)
    {
        double m = 0, mx = 0, my = 0;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                double v = image28[y * 28 + x];
                m += v; mx += v * x; my += v * y;
            }
        return (mx / m, my / m);
    }

    /// <summary>Width and height of the bounding box of the non-zero pixels.</summary>
    public static (int W, int H) InkBox(byte[] image28)
    {
        int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (image28[y * 28 + x] > 0)
                {
                    x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
                }
        return (x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>Pearson correlation of two images.</summary>
    public static double Correlation(byte[] a, byte[] b)
    {
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v);
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
