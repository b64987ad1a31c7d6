using GpuSiamese.Kernels.Reference;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// 2x2 stride-2 max-pooling on every backend against <see cref="MaxPool"/>: a maximum and its position are
/// exact in float, so values, winners and gradients must match exactly (tolerance 0). Outputs are pre-filled
/// with garbage. Plus a case worked out by hand.
/// </summary>
[TestFixture]
public class MaxPoolTests
{
    static IEnumerable<TestCaseData> Cases()
    {
        (int H, int W)[] images = [(1, 1), (5, 5), (7, 7), (14, 14), (15, 15), (5, 14), (15, 7), (1, 7)];
        int[] channels = [1, 3, 8, 13, 32];
        int[] batches = [1, 3, 127];
        int n = 0;
        foreach (var c in BackendCases.All())
            foreach (var (h, w) in images)
                foreach (var ch in channels)
                {
                    int batch = batches[n++ % 3];
                    if (c.Name == "ilgpu-cpu" && batch == 127 && h * w * ch > 49 * 8) batch = 3; // the simulator is slow
                    yield return new TestCaseData(c, batch, h, w, ch);
                }
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackwardMatchReference(BackendCase c, int images, int height, int width, int channels)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(images * 1000 + height * 37 + width * 7 + channels);
        int inN = images * height * width * channels, outN = images * (height / 2) * (width / 2) * channels;
        var x = Parity.Random(rng, inN);
        for (int k = 0; k < inN; k += 11) x[k] = x[Math.Max(0, k - channels)]; // some ties inside windows
        var dy = Parity.Random(rng, outN);
        var ey = new double[outN];
        var ewin = new int[outN];
        var edx = new double[inN];
        MaxPool.Forward(D(x), ey, ewin, images, height, width, channels);
        MaxPool.Backward(D(dy), ewin, edx, images, height, width, channels);

        using var bx = Up(b, x); using var bdy = Up(b, dy);
        using var y = Up(b, Parity.Random(rng, outN, 100));
        using var win = Up(b, Enumerable.Repeat(-5, outN).ToArray());
        using var dx = Up(b, Parity.Random(rng, inN, 100));
        b.MaxPoolForward(bx, y, win, images, height, width, channels);
        b.MaxPoolBackward(bdy, win, dx, images, height, width, channels);
        AssertClose(ey, Down(b, y), "y", 0, 0);
        Assert.That(DownInts(b, win), Is.EqualTo(ewin), "winners");
        AssertClose(edx, Down(b, dx), "dX", 0, 0);
    }

    /// <summary>k×k / s / p windows: the ResNet stem's 3/2/1, overlapping 3/1/1, 2/2 with padding 1, 5/3/2, on even and odd sizes.</summary>
    static IEnumerable<TestCaseData> WindowCases()
    {
        (int H, int W)[] images = [(1, 1), (5, 5), (14, 14), (15, 7), (8, 9)];
        (int K, int S, int P)[] windows = [(3, 2, 1), (3, 1, 1), (2, 2, 1), (5, 3, 2), (3, 3, 0), (1, 1, 0)];
        int[] channels = [1, 3, 13, 32];
        int n = 0;
        foreach (var c in BackendCases.All())
            foreach (var (h, w) in images)
                foreach (var (k, s, p) in windows)
                {
                    if (k > h + 2 * p || k > w + 2 * p) continue;
                    int batch = n % 3 == 0 ? 5 : 2, ch = channels[n++ % 4];
                    yield return new TestCaseData(c, new GpuSiamese.Kernels.PoolGeometry(batch, h, w, ch, k, s, p))
                        .SetArgDisplayNames(c.Name, $"{batch}x{h}x{w}x{ch} k{k} s{s} p{p}");
                }
    }

    [TestCaseSource(nameof(WindowCases))]
    public void WindowPoolingMatchesReference(BackendCase c, GpuSiamese.Kernels.PoolGeometry g)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(g.GetHashCode());
        int inN = g.Images * g.InSize, outN = g.Images * g.OutSize;
        var x = Parity.Random(rng, inN);
        for (int k = 0; k < inN; k += 11) x[k] = x[Math.Max(0, k - g.Channels)]; // some ties inside windows
        var dy = Parity.Random(rng, outN);
        var ey = new double[outN];
        var ewin = new int[outN];
        var edx = new double[inN];
        MaxPool.WindowForward(D(x), ey, ewin, g);
        MaxPool.WindowBackward(D(dy), ewin, edx, g);
        using var bx = Up(b, x); using var bdy = Up(b, dy);
        using var y = Up(b, Parity.Random(rng, outN, 100));
        using var win = Up(b, Enumerable.Repeat(-5, outN).ToArray());
        using var dx = Up(b, Parity.Random(rng, inN, 100));
        b.MaxPoolWindowForward(bx, y, win, g);
        b.MaxPoolWindowBackward(bdy, win, dx, g);
        AssertClose(ey, Down(b, y), "y", 0, 0);
        Assert.That(DownInts(b, win), Is.EqualTo(ewin), "winners");
        // Overlapping windows add gradients: the sums are in the same order everywhere, within float's rounding of them.
        AssertClose(edx, Down(b, dx), "dX");
    }

    [Test]
    public void TheStemPoolPadsWithNothingThatWins([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        // 4x4 of −16..−1 (row-major, all negative: a zero padding would win everywhere), 3x3 windows, stride 2, padding 1:
        // 2x2 outputs; window (0,0) covers rows and columns −1..1, its best −11 at (1,1), window offset (2,2) = 8; (0,1)
        // columns 1..3, best −9 at (1,3), offset (2,2) again; (1,0) rows 1..3, best −3 at (3,1); (1,1) −1 at (3,3).
        // dY of ones routes one to each of those four pixels.
        using var b = BackendCases.Open(c);
        var g = new GpuSiamese.Kernels.PoolGeometry(1, 4, 4, 1, 3, 2, 1);
        using var x = Up(b, Enumerable.Range(-16, 16).Select(v => (float)v).ToArray());
        using var y = Up(b, new float[4]);
        using var win = Up(b, new int[4]);
        b.MaxPoolWindowForward(x, y, win, g);
        Assert.That(Down(b, y), Is.EqualTo(new[] { -11f, -9f, -3f, -1f }));
        Assert.That(DownInts(b, win), Is.EqualTo(new[] { 8, 8, 8, 8 }));
        using var dy = Up(b, new[] { 1f, 1f, 1f, 1f });
        using var dx = Up(b, Enumerable.Repeat(9f, 16).ToArray());
        b.MaxPoolWindowBackward(dy, win, dx, g);
        var expected = new float[16];
        expected[5] = expected[7] = expected[13] = expected[15] = 1;
        Assert.That(Down(b, dx), Is.EqualTo(expected));
    }

    [Test]
    public void WorkedExampleOfOneImage([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        // 3x4, one channel. Windows: {1,5 / 3,4} → 5 at (0,1) = position 1; {2,0 / 8,8} → the first 8, at (1,0) =
        // position 2. The third row has no window: its gradient is 0.
        using var b = BackendCases.Open(c);
        using var x = Up(b, new float[] { 1, 5, 2, 0, 3, 4, 8, 8, 9, 9, 9, 9 });
        using var y = Up(b, new[] { -1f, -1f });
        using var win = Up(b, new[] { -1, -1 });
        using var dx = Up(b, Enumerable.Repeat(-1f, 12).ToArray());
        using var dy = Up(b, new[] { 10f, 20f });
        b.MaxPoolForward(x, y, win, 1, 3, 4, 1);
        b.MaxPoolBackward(dy, win, dx, 1, 3, 4, 1);
        Assert.That(Down(b, y), Is.EqualTo(new[] { 5f, 8f }));
        Assert.That(DownInts(b, win), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(Down(b, dx), Is.EqualTo(new float[] { 0, 10, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0 }));
    }

    static int[] DownInts(IBackend b, DeviceBuffer<int> buf)
    {
        var a = new int[buf.Length];
        b.Download<int>(buf, a);
        return a;
    }
}
