using GpuSiamese.Kernels.Reference;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class GatherTests
{
    [Test]
    public void GatherRowsMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 3, 127, 128)] int rows, [Values(1, 7, 196)] int width)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(rows * 31 + width);
        int tableRows = 300;
        var table = Parity.Random(rng, tableRows * width);
        var idx = Enumerable.Range(0, rows).Select(_ => rng.Next(tableRows)).ToArray();
        var expected = new double[rows * width];
        Gather.Rows(D(table), idx, expected, rows, width);
        using var t = Up(b, table);
        using var i = Up(b, idx);
        using var dst = b.Allocate<float>(rows * width);
        b.GatherRows(t, i, dst, rows, width);
        AssertClose(expected, Down(b, dst), "gather", 0, 0);
    }

    [Test]
    public void GatherRowsFromBytesMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 3, 127, 128)] int rows, [Values(1, 7, 196, 3 * 33 * 33)] int width)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(rows * 17 + width);
        int tableRows = 61;
        var table = new byte[tableRows * width];
        rng.NextBytes(table);
        table[0] = 255; // both ends of the range
        table[^1] = 0;
        var idx = Enumerable.Range(0, rows).Select(r => r == 0 ? 0 : rng.Next(tableRows)).ToArray();
        idx[^1] = tableRows - 1;
        var expected = new double[rows * width];
        Gather.RowsFromBytes(table, idx, expected, rows, width);
        using var t = Up(b, table);
        using var i = Up(b, idx);
        using var dst = b.Allocate<float>(rows * width);
        b.GatherRowsFromBytes(t, i, dst, rows, width);
        AssertClose(expected, Down(b, dst), "gather from bytes");
    }

    [Test]
    public void EveryByteBecomesTheSameFloatOnTheDeviceAsOnTheHost([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        // The host's conversion (ImageSet.ByteToInput: the double quotient rounded once) and the kernels' float quotient
        // b / 255f agree for all 256 values, so a set gathered from an 8-bit table and the same set converted on the host
        // are the same input bit for bit.
        using var b = BackendCases.Open(c);
        var table = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        using var t = Up(b, table);
        using var i = Up(b, new[] { 0 });
        using var dst = b.Allocate<float>(256);
        b.GatherRowsFromBytes(t, i, dst, 1, 256);
        var device = Down(b, dst);
        for (int v = 0; v < 256; v++)
            Assert.That(device[v], Is.EqualTo(GpuSiamese.Data.ImageSet.ByteToInput((byte)v)), $"byte {v}");
    }
}
