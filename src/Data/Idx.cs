using System.Buffers.Binary;
using System.IO.Compression;

namespace GpuSiamese.Data;

/// <summary>
/// Reader of IDX files (LeCun's MNIST format), plain or gzip-compressed (recognised by the gzip magic bytes,
/// whatever the name). Header: two zero bytes, the type byte 0x08 (unsigned bytes), the number of dimensions,
/// then each dimension as a big-endian 32-bit count: magic 2051 = images (count, rows, cols), 2049 = labels
/// (count). Every fault of a file — wrong magic, a header whose sizes the file cannot hold, truncation, trailing
/// bytes, corrupt gzip, labels outside 0..9 — is an <see cref="InvalidDataException"/> naming the file and the
/// problem. Nothing is allocated from a header before its sizes are checked against the file's length.
/// </summary>
public static class Idx
{
    public const int ImagesMagic = 2051;
    public const int LabelsMagic = 2049;

    /// <summary>Deflate cannot expand more than about 1032:1, so a gzip file of n bytes never holds more than this times n.</summary>
    const long MaxDeflateRatio = 1032;

    /// <summary>Reads an images file: (count, rows, cols) and the count·rows·cols pixel bytes, row-major.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        var (data, dims) = Read(path, ImagesMagic, 3, "images");
        return (data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a labels file and checks that every label is a digit 0..9.</summary>
    public static byte[] ReadLabels(string path)
    {
        var (data, _) = Read(path, LabelsMagic, 1, "labels");
        for (int i = 0; i < data.Length; i++)
            if (data[i] > 9)
                throw new InvalidDataException($"{path}: label {i} is {data[i]}, expected a digit 0..9");
        return data;
    }

    /// <summary>
    /// Reads a 28x28 images file and its labels file into an <see cref="ImageSet"/> (pooled to 14x14, the
    /// 28x28 bytes kept), checking that both hold the same number of items.
    /// </summary>
    public static ImageSet Load(string imagesPath, string labelsPath)
    {
        var (raw, count, rows, cols) = ReadImages(imagesPath);
        if (rows != ImageSet.RawSide || cols != ImageSet.RawSide)
            throw new InvalidDataException($"{imagesPath}: images are {rows}x{cols}, expected {ImageSet.RawSide}x{ImageSet.RawSide}");
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new InvalidDataException($"{imagesPath} holds {count} images but {labelsPath} holds {labels.Length} labels; expected the same count");
        return new ImageSet(Downsample.PoolAll(raw, count), labels, raw);
    }

    static (byte[] Data, int[] Dims) Read(string path, int magic, int rank, string what)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long fileLength = file.Length;
        bool gzip = IsGzip(file);
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
        try
        {
            return ReadBody(stream, path, magic, rank, what, gzip, fileLength);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: corrupt gzip data ({e.Message})", e);
        }
    }

    static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    static (byte[] Data, int[] Dims) ReadBody(Stream stream, string path, int magic, int rank, string what, bool gzip, long fileLength)
    {
        int headerSize = 4 + 4 * rank;
        Span<byte> header = stackalloc byte[headerSize];
        int got = stream.ReadAtLeast(header, headerSize, throwOnEndOfStream: false);
        if (got < headerSize)
            throw new InvalidDataException($"{path}: truncated: {got} bytes, shorter than the {headerSize}-byte IDX {what} header");
        int found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found != magic)
            throw new InvalidDataException($"{path}: magic number {found} (0x{found:X8}), expected {magic} for an IDX {what} file");

        var dims = new int[rank];
        long payload = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(header[(4 + 4 * d)..]);
            if (size == 0 || size > int.MaxValue)
                throw new InvalidDataException($"{path}: dimension {d} of the header is {size}, expected 1..{int.MaxValue}");
            dims[d] = (int)size;
            payload *= size;
            if (payload > Array.MaxLength)
                throw new InvalidDataException($"{path}: header promises more than {Array.MaxLength} bytes of {what}, more than any IDX file this program reads");
        }

        if (!gzip && fileLength != headerSize + payload)
            throw new InvalidDataException(
                $"{path}: header promises {headerSize + payload} bytes ({string.Join("x", dims)} {what}) but the file holds {fileLength}"
                + (fileLength < headerSize + payload ? " (truncated)" : " (trailing bytes)"));
        if (gzip && payload > fileLength * MaxDeflateRatio)
            throw new InvalidDataException($"{path}: header promises {payload} bytes of {what}, more than a {fileLength}-byte gzip file can hold");

        var data = new byte[payload];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
            throw new InvalidDataException($"{path}: truncated: header promises {payload} bytes of {what} after the header, the data ends after {read}");
        Span<byte> extra = stackalloc byte[1];
        if (stream.Read(extra) != 0)
            throw new InvalidDataException($"{path}: more data than the header's {string.Join("x", dims)} {what} (trailing bytes)");
        return (data, dims);
    }
}

/// <summary>Writer of the IDX files <see cref="Idx"/> reads, for caches this program makes itself.</summary>
public static class IdxWriter
{
    /// <summary>An images file: magic 2051, count, rows, cols (big-endian), then the bytes.</summary>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int cols)
    {
        if (pixels.Length != (long)count * rows * cols)
            throw new ArgumentException($"expected {count}·{rows}·{cols} bytes, got {pixels.Length}", nameof(pixels));
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, Idx.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], rows);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], cols);
        file.Write(header);
        file.Write(pixels);
    }

    /// <summary>A labels file: magic 2049, count (big-endian), then one byte per label.</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels)
    {
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, Idx.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Length);
        file.Write(header);
        file.Write(labels);
    }
}
