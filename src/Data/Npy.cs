using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace GpuSiamese.Data;

/// <summary>
/// NumPy <c>.npy</c> pair sets (format versions 1.0, 2.0 and 3.0; C order, little-endian). Pairs are float32 of
/// shape (N,2,14,14,1), (N,2,14,14) or (N,2,196); labels int64 or int32 of shape (N,) holding 0 (same digit) or
/// 1 (different). Written as (N,2,14,14,1) float32 and (N,) int64. A file of another dtype, Fortran order, another
/// shape, truncated or with trailing bytes, or a labels file whose N differs, is an <see cref="InvalidDataException"/>
/// naming the file and what was expected; sizes are checked against the file's length before anything is allocated.
/// </summary>
public static partial class Npy
{
    static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    const int MaxHeaderLength = 1 << 16;

    /// <summary>What a .npy header says: dtype descriptor, order, shape, and where the data starts.</summary>
    internal sealed record Header(string Descr, bool FortranOrder, long[] Shape, long DataOffset);

    public static PairArrays ReadPairs(string pairsPath, string labelsPath)
    {
        using var pairsFile = new FileStream(pairsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var ph = ReadHeader(pairsFile, pairsPath);
        CheckDescr(ph, pairsPath, "<f4", "float32 pairs");
        var s = ph.Shape;
        bool shapeOk = s.Length >= 2 && s[1] == 2
            && ((s.Length == 5 && s[2] == 14 && s[3] == 14 && s[4] == 1)
                || (s.Length == 4 && s[2] == 14 && s[3] == 14)
                || (s.Length == 3 && s[2] == 196));
        if (!shapeOk)
            throw new InvalidDataException($"{pairsPath}: shape {FormatShape(s)}, expected (N, 2, 14, 14, 1), (N, 2, 14, 14) or (N, 2, 196)");
        long count = s[0];
        if (count > int.MaxValue / PairArrays.PairSize)
            throw new InvalidDataException($"{pairsPath}: {count} pairs, more than this program reads");
        CheckLength(pairsFile, pairsPath, ph, count * PairArrays.PairSize * 4);

        using var labelsFile = new FileStream(labelsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var lh = ReadHeader(labelsFile, labelsPath);
        int width = lh.Descr switch { "<i8" => 8, "<i4" => 4, _ => 0 };
        if (width == 0 || lh.FortranOrder)
            CheckDescr(lh, labelsPath, "<i8", "int64 or int32 (<i4) labels");
        if (lh.Shape.Length != 1)
            throw new InvalidDataException($"{labelsPath}: shape {FormatShape(lh.Shape)}, expected (N,)");
        if (lh.Shape[0] != count)
            throw new InvalidDataException($"{labelsPath} holds {lh.Shape[0]} labels but {pairsPath} holds {count} pairs; expected the same N");
        CheckLength(labelsFile, labelsPath, lh, count * width);

        var pixels = new float[count * PairArrays.PairSize];
        pairsFile.Position = ph.DataOffset;
        pairsFile.ReadExactly(MemoryMarshal.AsBytes(pixels.AsSpan()));
        if (!BitConverter.IsLittleEndian)
            ReverseEach(pixels);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (long i = 0; i < pixels.Length; i++)
        {
            float v = pixels[i];
            if (!float.IsFinite(v))
                throw new InvalidDataException($"{pairsPath}: pair {i / PairArrays.PairSize} holds a non-finite pixel {v}");
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        // The network was trained on MNIST scaled to [0, 1]; values on another scale would be scored without a word.
        if (min < 0 || max > 1)
        {
            string fix = min >= 0 && max <= 255 ? "0..255 images: divide them by 255" : "rescale them to [0, 1]";
            throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{pairsPath}: pixel values range from {min:G6} to {max:G6}, expected 0..1 (MNIST scaled to [0, 1]; {fix})"));
        }

        var raw = new byte[count * width];
        labelsFile.Position = lh.DataOffset;
        labelsFile.ReadExactly(raw);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            long v = width == 8 ? BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * i)) : BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i));
            if (v is not (0 or 1))
                throw new InvalidDataException($"{labelsPath}: label {i} is {v}, expected 0 (same digit) or 1 (different)");
            labels[i] = (int)v;
        }
        return new PairArrays(pixels, labels);
    }

    /// <summary>Writes pairs as (N,2,14,14,1) float32 and labels as (N,) int64, each through a temporary file and a rename.</summary>
    public static void WritePairs(string pairsPath, string labelsPath, PairArrays pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        WriteFloat32(pairsPath, pairs.Pixels, pairs.Count, 2, 14, 14, 1);
        var labels = new byte[pairs.Count * 8L];
        for (int i = 0; i < pairs.Count; i++)
            BinaryPrimitives.WriteInt64LittleEndian(labels.AsSpan(8 * i), pairs.Labels[i]);
        Write(pairsPath == labelsPath ? throw new ArgumentException("pairs and labels must go to two files") : labelsPath, "<i8", [pairs.Count], labels);
    }

    /// <summary>Writes a C-order little-endian float32 array of the given shape (e.g. embeddings (N, D)).</summary>
    public static void WriteFloat32(string path, ReadOnlySpan<float> data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long product = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"shape {FormatShape(shape.Select(x => (long)x).ToArray())} has a negative dimension", nameof(shape));
            product *= d;
        }
        if (product != data.Length)
            throw new ArgumentException($"shape {FormatShape(shape.Select(x => (long)x).ToArray())} holds {product} values, the data {data.Length}", nameof(shape));
        var bytes = new byte[data.Length * 4L];
        for (int i = 0; i < data.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), data[i]);
        Write(path, "<f4", shape.Select(x => (long)x).ToArray(), bytes);
    }

    static void Write(string path, string descr, long[] shape, byte[] data)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {FormatShape(shape)}, }}";
        // Version 1.0 pads the header with spaces to a multiple of 64 bytes, ending in a newline.
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int total = (unpadded + 63) / 64 * 64;
        string header = dict + new string(' ', total - unpadded) + "\n";
        string full = Path.GetFullPath(path);
        string temp = TemporaryFiles.For(full);
        try
        {
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                f.Write(Magic);
                f.Write([1, 0]);
                Span<byte> len = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
                f.Write(len);
                f.Write(Encoding.ASCII.GetBytes(header));
                f.Write(data);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (WriteFailedException.IsEnvironmental(e) && e is not WriteFailedException)
        {
            throw WriteFailedException.From(path, e);
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    internal static Header ReadHeader(Stream stream, string path)
    {
        long length = stream.Length;
        Span<byte> pre = stackalloc byte[12];
        if (stream.ReadAtLeast(pre[..10], 10, throwOnEndOfStream: false) < 10 || !pre[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file (expected the magic \\x93NUMPY and a header)");
        byte major = pre[6];
        long headerLength;
        long offset;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
            offset = 10;
        }
        else if (major is 2 or 3)
        {
            if (stream.ReadAtLeast(pre[10..12], 2, throwOnEndOfStream: false) < 2)
                throw new InvalidDataException($"{path}: truncated .npy header");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
            offset = 12;
        }
        else
            throw new InvalidDataException($"{path}: .npy format version {major}.{pre[7]}, expected 1.0, 2.0 or 3.0");
        if (headerLength > MaxHeaderLength || offset + headerLength > length)
            throw new InvalidDataException($"{path}: .npy header of {headerLength} bytes does not fit a {length}-byte file");
        var bytes = new byte[headerLength];
        stream.ReadExactly(bytes);
        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes);

        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataException($"{path}: .npy header lacks 'descr', 'fortran_order' or 'shape': {text.Trim()}");
        var dims = new List<long>();
        foreach (string part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long d) || d > int.MaxValue)
                throw new InvalidDataException($"{path}: .npy shape ({shape.Groups[1].Value}) holds '{part}', expected non-negative integers");
            dims.Add(d);
        }
        return new Header(descr.Groups[1].Value, fortran.Groups[1].Value == "True", [.. dims], offset + headerLength);
    }

    static void CheckDescr(Header h, string path, string descr, string expected)
    {
        if (h.Descr != descr)
            throw new InvalidDataException($"{path}: dtype '{h.Descr}', expected {expected} ('{descr}', little-endian)");
        if (h.FortranOrder)
            throw new InvalidDataException($"{path}: Fortran order, expected C order (fortran_order False)");
    }

    static void CheckLength(Stream stream, string path, Header h, long dataBytes)
    {
        long expected = h.DataOffset + dataBytes;
        if (stream.Length < expected)
            throw new InvalidDataException($"{path}: truncated: shape {FormatShape(h.Shape)} needs {dataBytes} bytes of data, the file holds {stream.Length - h.DataOffset}");
        if (stream.Length > expected)
            throw new InvalidDataException($"{path}: {stream.Length - expected} bytes after the data of shape {FormatShape(h.Shape)} (trailing bytes)");
    }

    static void ReverseEach(float[] values)
    {
        var ints = MemoryMarshal.Cast<float, int>(values.AsSpan());
        BinaryPrimitives.ReverseEndianness(ints, ints);
    }

    static string FormatShape(long[] shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
