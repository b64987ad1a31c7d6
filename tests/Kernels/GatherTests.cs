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
}
