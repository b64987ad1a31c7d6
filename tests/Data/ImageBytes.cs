using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace GpuSiamese.Tests.Data;

/// <summary>
/// Image files written byte by byte in the layouts Skia cannot encode: PNGs of every colour type and bit depth
/// (1-bit grey, 16-bit, palette with transparency, grey+alpha), animated GIFs, JPEGs with an EXIF orientation.
/// Pixels come in as RGBA bytes, row-major.
/// </summary>
public static class ImageBytes
{
    public enum PngKind { Grey1, Grey8, Grey16, GreyAlpha8, Rgb8, Rgba8, Rgba16, Palette1, Palette4, Palette8 }

    public static byte[] Png(byte[] rgba, int w, int h, PngKind kind)
    {
        (int depth, int colourType, int channels) = kind switch
        {
            PngKind.Grey1 => (1, 0, 1), PngKind.Grey8 => (8, 0, 1), PngKind.Grey16 => (16, 0, 1),
            PngKind.GreyAlpha8 => (8, 4, 2), PngKind.Rgb8 => (8, 2, 3), PngKind.Rgba8 => (8, 6, 4), PngKind.Rgba16 => (16, 6, 4),
            PngKind.Palette1 => (1, 3, 1), PngKind.Palette4 => (4, 3, 1), _ => (8, 3, 1),
        };
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)colourType;
        Chunk(file, "IHDR", ihdr);
        int levels = 1 << depth;
        if (colourType == 3)
        {
            // A palette of grey levels, the darkest half-transparent, so tRNS is read too.
            var plte = new byte[3 * levels];
            for (int i = 0; i < levels; i++) plte[3 * i] = plte[3 * i + 1] = plte[3 * i + 2] = (byte)(255 * i / (levels - 1));
            Chunk(file, "PLTE", plte);
            Chunk(file, "tRNS", [128]);
        }
        int bitsPerPixel = depth * channels;
        int rowBytes = (w * bitsPerPixel + 7) / 8;
        var raw = new byte[(rowBytes + 1) * (long)h];
        Span<int> samples = stackalloc int[4];
        for (int y = 0; y < h; y++)
        {
            long row = y * (long)(rowBytes + 1) + 1;
            for (int x = 0; x < w; x++)
            {
                long i = 4 * ((long)y * w + x);
                byte r = rgba[i], g = rgba[i + 1], b = rgba[i + 2], a = rgba[i + 3];
                byte grey = (byte)((r * 299 + g * 587 + b * 114) / 1000);
                int n = channels;
                switch (colourType)
                {
                    case 0: samples[0] = Scale(grey, depth); break;
                    case 3: samples[0] = grey * (levels - 1) / 255; break;
                    case 4: samples[0] = Scale(grey, depth); samples[1] = Scale(a, depth); break;
                    case 2: samples[0] = Scale(r, depth); samples[1] = Scale(g, depth); samples[2] = Scale(b, depth); break;
                    default: samples[0] = Scale(r, depth); samples[1] = Scale(g, depth); samples[2] = Scale(b, depth); samples[3] = Scale(a, depth); break;
                }
                for (int c = 0; c < n; c++)
                {
                    long bit = (long)(x * channels + c) * depth;
                    if (depth == 16) BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan((int)(row + bit / 8)), (ushort)samples[c]);
                    else if (depth == 8) raw[row + bit / 8] = (byte)samples[c];
                    else raw[row + bit / 8] |= (byte)(samples[c] << (8 - depth - (int)(bit % 8)));
                }
            }
        }
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(raw);
            Chunk(file, "IDAT", z.ToArray());
        }
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    static int Scale(byte v, int depth) => depth switch { 16 => v * 257, 8 => v, _ => v * ((1 << depth) - 1) / 255 };

    static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        for (int i = 0; i < 4; i++) header[4 + i] = (byte)type[i];
        s.Write(header);
        s.Write(data);
        uint crc = Crc32(header.AsSpan(4), 0xFFFFFFFF);
        crc = Crc32(data, crc) ^ 0xFFFFFFFF;
        var tail = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        s.Write(tail);
    }

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    static uint Crc32(ReadOnlySpan<byte> data, uint crc)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>
    /// An animated GIF of <paramref name="frames"/> frames (NETSCAPE loop, a delay each), 4 grey levels, LZW kept at
    /// 3-bit codes by a clear code before every two literals; frame k shows the image shifted k pixels right.
    /// </summary>
    public static byte[] AnimatedGif(byte[] rgba, int w, int h, int frames)
    {
        var bytes = new List<byte>();
        bytes.AddRange("GIF89a"u8.ToArray());
        bytes.AddRange(BitConverter.GetBytes((ushort)w));
        bytes.AddRange(BitConverter.GetBytes((ushort)h));
        bytes.AddRange([0x81, 0, 0]);
        foreach (byte g in new byte[] { 0, 85, 170, 255 }) bytes.AddRange([g, g, g]);
        bytes.AddRange([0x21, 0xFF, 11, .. "NETSCAPE2.0"u8.ToArray(), 3, 1, 0, 0, 0]);
        for (int f = 0; f < frames; f++)
        {
            bytes.AddRange([0x21, 0xF9, 4, 0x04, 10, 0, 0, 0]); // graphic control: do not dispose, 0.1 s
            bytes.Add(0x2C);
            bytes.AddRange([0, 0, 0, 0]);
            bytes.AddRange(BitConverter.GetBytes((ushort)w));
            bytes.AddRange(BitConverter.GetBytes((ushort)h));
            bytes.Add(0);
            bytes.Add(2);
            var codes = new List<int>();
            for (long i = 0; i < (long)w * h; i++)
            {
                if (i % 2 == 0) codes.Add(4);
                long x = (i % w + w - f % w) % w, y = i / w, p = 4 * (y * w + x);
                codes.Add((int)Math.Round((0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2]) / 85));
            }
            codes.Add(5);
            var packed = new List<byte>();
            int acc = 0, bits = 0;
            foreach (int code in codes)
            {
                acc |= code << bits;
                bits += 3;
                while (bits >= 8) { packed.Add((byte)acc); acc >>= 8; bits -= 8; }
            }
            if (bits > 0) packed.Add((byte)acc);
            for (int i = 0; i < packed.Count; i += 255)
            {
                int n = Math.Min(255, packed.Count - i);
                bytes.Add((byte)n);
                bytes.AddRange(packed.GetRange(i, n));
            }
            bytes.Add(0);
        }
        bytes.Add(0x3B);
        return [.. bytes];
    }

    /// <summary>A JPEG (Skia's encoder) with an EXIF APP1 segment right after SOI saying <paramref name="orientation"/> (1..8).</summary>
    public static byte[] JpegWithOrientation(SKBitmap bitmap, int quality, int orientation)
    {
        byte[] jpeg = DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Jpeg, quality);
        // "Exif\0\0", a big-endian TIFF header, IFD0 with one entry: 0x0112 Orientation, SHORT, count 1.
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        int length = payload.Length + 2;
        return [jpeg[0], jpeg[1], 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg.AsSpan(2).ToArray()];
    }
}
