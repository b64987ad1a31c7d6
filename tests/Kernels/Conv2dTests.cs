using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Reference;
using GpuSiamese.Model.Backends;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// Convolution on every backend against <see cref="Conv2d"/> (double), at the awkward shapes, with every
/// output pre-filled with garbage (each pass overwrites), tolerance 1e-5 + |ref|·1e-5; plus values worked out by
/// hand on tiny images, independently of the reference.
/// </summary>
[TestFixture]
public class Conv2dTests
{
    static readonly (int H, int W)[] Images = [(1, 1), (5, 5), (7, 7), (14, 14), (15, 15), (5, 14), (15, 7), (1, 7), (14, 5)];
    static readonly int[] InChannels = [1, 3], OutChannels = [1, 8, 13], Kernels = [1, 3, 5], Batches = [1, 3, 127];

    /// <summary>
    /// Every (H, W) with every kernel size and padding that fits it; the channels and batch sizes cycle at
    /// different strides, so that each value meets each kernel size and padding. 127-image batches are kept
    /// where they cost the double reference little (their images are at most 7x7 or their kernel 1 or 3).
    /// </summary>
    public static IEnumerable<Conv2dGeometry> Shapes()
    {
        int n = 0;
        foreach (var (h, w) in Images)
            foreach (var k in Kernels)
                foreach (var pad in new[] { ConvPadding.Same, ConvPadding.Valid })
                {
                    if (pad == ConvPadding.Valid && (k > h || k > w)) continue;
                    if (pad == ConvPadding.Valid && k == 1) continue; // k = 1 has no padding: the Same case is the same convolution
                    int images = Batches[n % 3];
                    if (images == 127 && h * w > 49 && k == 5) images = 3;
                    yield return new Conv2dGeometry(images, h, w, InChannels[n / 3 % 2], OutChannels[n % 7 % 3], k, pad);
                    n++;
                }
        // Strided: ResNet's 3x3 stride-2 convolutions and 1x1 stride-2 projections (same padding pads one more after
        // the image than before it on even sizes), the 7x7 stride-2 stem, and a stride of 3, on even and odd sizes.
        foreach (var (h, w) in new[] { (14, 14), (15, 15), (5, 14), (7, 6), (1, 7) })
            foreach (var (k, stride) in new[] { (1, 2), (3, 2), (5, 3), (7, 2) })
                foreach (var pad in new[] { ConvPadding.Same, ConvPadding.Valid })
                {
                    if (pad == ConvPadding.Valid && (k > h || k > w)) continue;
                    yield return new Conv2dGeometry(Batches[n % 2], h, w, InChannels[n / 3 % 2], OutChannels[n % 7 % 3], k, pad, stride);
                    n++;
                }
    }

    /// <summary>
    /// ILGPU's CPU accelerator simulates every thread on the host (about 100x slower than the other
    /// backends): it runs every shape with at most 3 images, plus the 127-image ones of 7x7 and smaller.
    /// </summary>
    static bool Runs(BackendCase c, Conv2dGeometry g) => c.Name != "ilgpu-cpu" || g.Images <= 3 || g.Height * g.Width <= 49;

    static IEnumerable<TestCaseData> Cases() =>
        from c in BackendCases.All()
        from g in Shapes()
        where Runs(c, g)
        select new TestCaseData(c, g).SetArgDisplayNames(c.Name, g.ToString());

    [TestCaseSource(nameof(Cases))]
    public void ForwardMatchesReference(BackendCase c, Conv2dGeometry g)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(g.GetHashCode());
        var x = Parity.Random(rng, g.Images * g.InSize);
        var w = Parity.Random(rng, g.WeightCount, 1.0 / Math.Sqrt(g.PatchSize));
        var bias = Parity.Random(rng, g.OutChannels, 0.5);
        foreach (var act in new[] { Activation.Identity, Activation.Relu })
        {
            var expected = new double[g.Images * g.OutSize];
            Conv2d.Forward(D(x), D(w), D(bias), expected, g, act);
            using var bx = Up(b, x); using var bw = Up(b, w); using var bb = Up(b, bias);
            using var y = Up(b, Parity.Random(rng, g.Images * g.OutSize, 100));
            b.Conv2dForward(bx, bw, bb, y, g, act);
            AssertClose(expected, Down(b, y), $"forward {act}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardDataMatchesReference(BackendCase c, Conv2dGeometry g)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(g.GetHashCode() + 1);
        var dy = Parity.Random(rng, g.Images * g.OutSize);
        var w = Parity.Random(rng, g.WeightCount, 1.0 / Math.Sqrt(g.PatchSize));
        var expected = new double[g.Images * g.InSize];
        Conv2d.BackwardData(D(dy), D(w), expected, g);
        using var bdy = Up(b, dy); using var bw = Up(b, w);
        using var dx = Up(b, Parity.Random(rng, g.Images * g.InSize, 100));
        b.Conv2dBackwardData(bdy, bw, dx, g);
        AssertClose(expected, Down(b, dx), "dX");
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardWeightsMatchesReference(BackendCase c, Conv2dGeometry g)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(g.GetHashCode() + 2);
        var x = Parity.Random(rng, g.Images * g.InSize);
        var dy = Parity.Random(rng, g.Images * g.OutSize);
        var ew = new double[g.WeightCount];
        var eb = new double[g.OutChannels];
        Conv2d.BackwardWeights(D(x), D(dy), ew, eb, g);
        using var bx = Up(b, x); using var bdy = Up(b, dy);
        using var dw = Up(b, Parity.Random(rng, g.WeightCount, 100));
        using var db = Up(b, Parity.Random(rng, g.OutChannels, 100));
        b.Conv2dBackwardWeights(bx, bdy, dw, db, g);
        double tol = SumTolerance(g);
        AssertClose(ew, Down(b, dw), "dW", tol);
        AssertClose(eb, Down(b, db), "db", tol);
    }

    /// <summary>
    /// dW and db are sums over every output pixel of the batch (up to 127·15·15 = 28,575 terms, 600·225 below),
    /// where dense dW sums over at most 128 rows. A float running sum's rounding error grows with its length
    /// (measured: 1.5e-4 at 13,335 terms, 1.5e-3 at 135,000, on simd and OpenCL alike), so the absolute part of
    /// the tolerance is dense's 1e-5 per 128 terms of the sum; the relative part stays 1e-5.
    /// </summary>
    static double SumTolerance(Conv2dGeometry g) => Tol * Math.Max(1.0, g.OutPixels / 128.0);

    /// <summary>A batch of many blocks of images (<see cref="GpuSiamese.Model.Backends.SimdBackend.ConvBlockRows"/>), whose partial dW add up.</summary>
    [Test]
    public void ManyBlocksOfImagesMatchReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        if (c.Name == "ilgpu-cpu") Assert.Ignore("ilgpu-cpu: the blocks are a simd matter; 600 images are slow on the simulator");
        using var b = BackendCases.Open(c);
        var g = new Conv2dGeometry(600, 15, 15, 3, 8, 5, ConvPadding.Same); // 225 pixels per image: 2 images per block, 300 blocks
        AllPassesMatchReference(b, g, new Random(12), 0.1, 1.0, (x, w, bias, dy, y, dx, dw, db) =>
        {
            b.Conv2dForward(x, w, bias, y, g, Activation.Relu);
            b.Conv2dBackwardData(dy, w, dx, g);
            b.Conv2dBackwardWeights(x, dy, dw, db, g);
        });
    }

    /// <summary>
    /// The SIMD backend computes a convolution one of two ways (<see cref="GpuSiamese.Kernels.Simd.Conv2d.Direct"/>
    /// picks): straight from the padded image, or through the patch matrix and the dense products. The parity cases
    /// above meet each shape on one of them; here both ways run on every shape, at every vector width, with output
    /// channel counts that fill two vectors, one, and a scalar tail (8, 13, 32, 40 and 1) and with 2 threads.
    /// </summary>
    static IEnumerable<TestCaseData> BothPathCases() =>
        from bits in new[] { 512, 256, 128 }
        from g in Shapes().Select((g, i) => new Conv2dGeometry(Math.Min(g.Images, 5), g.Height, g.Width, g.InChannels,
            new[] { 32, 40, 13, 8, 1 }[i % 5], g.Kernel, g.Padding))
        from direct in new[] { true, false }
        select new TestCaseData(bits, g, direct).SetArgDisplayNames($"simd-{bits}", g.ToString(), direct ? "direct" : "lowered");

    [TestCaseSource(nameof(BothPathCases))]
    public void BothSimdPathsMatchReference(int bits, Conv2dGeometry g, bool direct)
    {
        using var b = new GpuSiamese.Model.Backends.SimdBackend(2, bits);
        AllPassesMatchReference(b, g, new Random(g.GetHashCode() + bits), 1.0 / Math.Sqrt(g.PatchSize), 0.5, (x, w, bias, dy, y, dx, dw, db) =>
        {
            if (direct)
            {
                b.Conv2dForwardDirect(x, w, bias, y, g, Activation.Relu);
                b.Conv2dBackwardDataDirect(dy, w, dx, g);
            }
            else
            {
                b.Conv2dForwardLowered(x, w, bias, y, g, Activation.Relu);
                b.Conv2dBackwardDataLowered(dy, w, dx, g);
            }
            b.Conv2dBackwardWeights(x, dy, dw, db, g, direct);
        });
    }

    delegate void ThreePasses(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> bias, DeviceBuffer<float> dy,
        DeviceBuffer<float> y, DeviceBuffer<float> dx, DeviceBuffer<float> dw, DeviceBuffer<float> db);

    /// <summary>
    /// Random x, W (scale <paramref name="weightScale"/>), b (<paramref name="biasScale"/>) and dY; outputs pre-filled with
    /// garbage; <paramref name="run"/> makes the three passes (ReLU forward); each is checked against the reference.
    /// </summary>
    static void AllPassesMatchReference(IBackend b, Conv2dGeometry g, Random rng, double weightScale, double biasScale, ThreePasses run)
    {
        var x = Parity.Random(rng, g.Images * g.InSize);
        var w = Parity.Random(rng, g.WeightCount, weightScale);
        var bias = Parity.Random(rng, g.OutChannels, biasScale);
        var dy = Parity.Random(rng, g.Images * g.OutSize);
        var ey = new double[g.Images * g.OutSize];
        var edx = new double[g.Images * g.InSize];
        var ew = new double[g.WeightCount];
        var eb = new double[g.OutChannels];
        Conv2d.Forward(D(x), D(w), D(bias), ey, g, Activation.Relu);
        Conv2d.BackwardData(D(dy), D(w), edx, g);
        Conv2d.BackwardWeights(D(x), D(dy), ew, eb, g);
        using var bx = Up(b, x); using var bw = Up(b, w); using var bb = Up(b, bias); using var bdy = Up(b, dy);
        using var y = Up(b, Parity.Random(rng, ey.Length, 100));
        using var dx = Up(b, Parity.Random(rng, edx.Length, 100));
        using var dw = Up(b, Parity.Random(rng, ew.Length, 100));
        using var db = Up(b, Parity.Random(rng, eb.Length, 100));
        run(bx, bw, bb, bdy, y, dx, dw, db);
        AssertClose(ey, Down(b, y), "forward");
        AssertClose(edx, Down(b, dx), "dX");
        double tol = SumTolerance(g);
        AssertClose(ew, Down(b, dw), "dW", tol);
        AssertClose(eb, Down(b, db), "db", tol);
    }

    // A 3x3 image 1..9 (one channel), a 3x3 kernel of ones, bias 0.5: with 'same' padding each output is the sum of
    // the pixel's 3x3 neighbourhood inside the image (corner 1+2+4+5 = 12, edge 1+2+3+4+5+6 = 21, centre 45), + 0.5.
    static readonly float[] Nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    static readonly float[] Ones9 = [1, 1, 1, 1, 1, 1, 1, 1, 1];

    [Test]
    public void ForwardOfAKernelOfOnesSumsNeighbourhoods([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        using var x = Up(b, Nine); using var w = Up(b, Ones9); using var bias = Up(b, new[] { 0.5f });
        using var y = Up(b, Enumerable.Repeat(-7f, 9).ToArray());
        b.Conv2dForward(x, w, bias, y, new Conv2dGeometry(1, 3, 3, 1, 1, 3, ConvPadding.Same), Activation.Identity);
        Assert.That(Down(b, y), Is.EqualTo(new[] { 12.5f, 21.5f, 16.5f, 27.5f, 45.5f, 33.5f, 24.5f, 39.5f, 28.5f }));
        using var valid = Up(b, new[] { -7f });
        b.Conv2dForward(x, w, bias, valid, new Conv2dGeometry(1, 3, 3, 1, 1, 3, ConvPadding.Valid), Activation.Identity);
        Assert.That(Down(b, valid), Is.EqualTo(new[] { 45.5f }));
    }

    [Test]
    public void BackwardPassesOfAKernelOfOnesCountAndSumNeighbourhoods([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        // dY of ones: dX counts the outputs whose patch covers each pixel (corner 4, edge 6, centre 9); dW[i,j] sums
        // the pixels that meet kernel offset (i,j), the same neighbourhood sums as forward; db counts the 9 outputs.
        using var b = BackendCases.Open(c);
        var g = new Conv2dGeometry(1, 3, 3, 1, 1, 3, ConvPadding.Same);
        using var x = Up(b, Nine); using var w = Up(b, Ones9); using var dy = Up(b, Ones9);
        using var dx = Up(b, Enumerable.Repeat(-7f, 9).ToArray());
        using var dw = Up(b, Enumerable.Repeat(-7f, 9).ToArray());
        using var db = Up(b, new[] { -7f });
        b.Conv2dBackwardData(dy, w, dx, g);
        b.Conv2dBackwardWeights(x, dy, dw, db, g);
        Assert.That(Down(b, dx), Is.EqualTo(new[] { 4f, 6f, 4f, 6f, 9f, 6f, 4f, 6f, 4f }));
        Assert.That(Down(b, dw), Is.EqualTo(new[] { 12f, 21f, 16f, 27f, 45f, 33f, 24f, 39f, 28f }));
        Assert.That(Down(b, db), Is.EqualTo(new[] { 9f }));
    }

    [Test]
    public void AStrideTwoSameConvolutionPadsTheOddPixelAfterTheImage([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        // A 4x4 image 1..16, a 3x3 kernel of ones, stride 2, 'same' as TensorFlow defines it: a 2x2 output, one zero row and
        // column after the image and none before, so output (0,0) sums rows and columns 0-2 (54), (0,1) rows 0-2 and
        // columns 2-3 (45), (1,0) rows 2-3 and columns 0-2 (72), (1,1) the four corner pixels 11, 12, 15, 16 (54).
        // (Symmetric padding of 1, PyTorch's, would give 14 at (0,0).)
        using var b = BackendCases.Open(c);
        var g = new Conv2dGeometry(1, 4, 4, 1, 1, 3, ConvPadding.Same, stride: 2);
        Assert.That((g.OutHeight, g.OutWidth, g.PadTop, g.PadLeft, g.PadBottom, g.PadRight), Is.EqualTo((2, 2, 0, 0, 1, 1)));
        using var x = Up(b, Enumerable.Range(1, 16).Select(v => (float)v).ToArray()); using var w = Up(b, Ones9);
        using var bias = Up(b, new[] { 0f });
        using var y = Up(b, Enumerable.Repeat(-7f, 4).ToArray());
        b.Conv2dForward(x, w, bias, y, g, Activation.Identity);
        Assert.That(Down(b, y), Is.EqualTo(new[] { 54f, 45f, 72f, 54f }));
        // Backward with dY of ones: each input pixel counts the outputs whose patch covers it (row 2 and column 2 twice).
        using var dy = Up(b, new[] { 1f, 1f, 1f, 1f });
        using var dx = Up(b, Enumerable.Repeat(-7f, 16).ToArray());
        b.Conv2dBackwardData(dy, w, dx, g);
        Assert.That(Down(b, dx), Is.EqualTo(new[] { 1f, 1f, 2f, 1f, 1f, 1f, 2f, 1f, 2f, 2f, 4f, 2f, 1f, 1f, 2f, 1f }));
        var odd = new Conv2dGeometry(1, 5, 5, 1, 1, 3, ConvPadding.Same, stride: 2);
        Assert.That((odd.OutHeight, odd.PadTop, odd.PadBottom), Is.EqualTo((3, 1, 1)), "an odd size pads one on each side");
    }

    [Test]
    public void ChannelsAreLastAndWeightsAreInChannelsByOutChannels([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        // One pixel of two channels (1, 2); a 1x1 kernel W[c, o] = 10^(3c + o): y[o] = 1·10^o + 2·10^(3+o).
        using var b = BackendCases.Open(c);
        using var x = Up(b, new[] { 1f, 2f });
        using var w = Up(b, new[] { 1f, 10f, 100f, 1000f, 10000f, 100000f });
        using var bias = Up(b, new[] { 0f, 0f, 0f });
        using var y = Up(b, new[] { -7f, -7f, -7f });
        b.Conv2dForward(x, w, bias, y, new Conv2dGeometry(1, 1, 1, 2, 3, 1, ConvPadding.Same), Activation.Relu);
        Assert.That(Down(b, y), Is.EqualTo(new[] { 2001f, 20010f, 200100f }));
    }

    [Test]
    public void GeometryRejectsWhatCannotBeComputed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dGeometry(1, 5, 5, 1, 1, 4, ConvPadding.Same));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dGeometry(1, 3, 5, 1, 1, 5, ConvPadding.Valid));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dGeometry(1, 5, 5, 0, 1, 3, ConvPadding.Same));
        var g = new Conv2dGeometry(2, 14, 15, 3, 8, 5, ConvPadding.Valid);
        Assert.That((g.OutHeight, g.OutWidth, g.PatchSize, g.WeightCount), Is.EqualTo((10, 11, 75, 600)));
    }
}
