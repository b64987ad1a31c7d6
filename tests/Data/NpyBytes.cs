using System.Buffers.Binary;
using System.Text;

namespace GpuSiamese.Tests.Data;

/// <summary>Builds .npy files byte by byte, as NumPy lays them out, for the tests.</summary>
public static class NpyBytes
{
    public static byte[] Build(string descr, string shape, byte[] data, bool fortran = false, int major = 1)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
        if (major == 1)
            bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        else
            bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static byte[] Floats(IEnumerable<float> values)
    {
        var list = values.ToArray();
        var bytes = new byte[list.Length * 4];
        for (int i = 0; i < list.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), list[i]);
        return bytes;
    }

    public static byte[] Int64s(IEnumerable<long> values) => [.. values.SelectMany(v => BitConverter.GetBytes(v))];
    public static byte[] Int32s(IEnumerable<int> values) => [.. values.SelectMany(v => BitConverter.GetBytes(v))];

    /// <summary>n pairs of pixels p/1000 (p the flat index) and labels alternating 0, 1.</summary>
    public static (float[] Pixels, int[] Labels) Sample(int n) =>
        ([.. Enumerable.Range(0, n * 392).Select(i => (i % 1000) / 1000f)], [.. Enumerable.Range(0, n).Select(i => i % 2)]);
}
