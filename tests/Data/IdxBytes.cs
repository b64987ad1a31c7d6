using System.Buffers.Binary;
using System.IO.Compression;

namespace GpuSiamese.Tests.Data;

/// <summary>Builds IDX files byte by byte (independently of the reader) for the tests.</summary>
public static class IdxBytes
{
    public static byte[] Images(int count, int rows, int cols, byte[] pixels, int magic = 2051)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    public static byte[] Labels(byte[] labels, int? count = null, int magic = 2049)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count ?? labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
            gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>count random 28x28 images with labels cycling 0..9, as (pixels, labels).</summary>
    public static (byte[] Pixels, byte[] Labels) RandomDigits(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 784];
        random.NextBytes(pixels);
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
            labels[i] = (byte)(i % 10);
        return (pixels, labels);
    }

    /// <summary>Writes the four MNIST files into a folder under the given names (plain, or gzip when gzip is true).</summary>
    public static void WriteMnistFolder(string folder, int trainCount, int testCount, bool gzip = false, bool dotted = false)
    {
        Directory.CreateDirectory(folder);
        var (trainPixels, trainLabels) = RandomDigits(trainCount, 1);
        var (testPixels, testLabels) = RandomDigits(testCount, 2);
        void Put(string name, byte[] bytes)
        {
            if (dotted)
                name = name.Replace("-idx", ".idx");
            File.WriteAllBytes(Path.Combine(folder, gzip ? name + ".gz" : name), gzip ? Gzip(bytes) : bytes);
        }
        Put("train-images-idx3-ubyte", Images(trainCount, 28, 28, trainPixels));
        Put("train-labels-idx1-ubyte", Labels(trainLabels));
        Put("t10k-images-idx3-ubyte", Images(testCount, 28, 28, testPixels));
        Put("t10k-labels-idx1-ubyte", Labels(testLabels));
    }
}
