using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Reference;
using static GpuSiamese.Tests.Kernels.Parity;

namespace GpuSiamese.Tests.Kernels;

[TestFixture]
public class DropoutTests
{
    [Test]
    public void MaskMatchesReference([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c,
        [Values(1, 7, 127, 128 * 200, 100_000)] int n, [Values(0.1f, 0.5f, 0.9f)] float p)
    {
        using var b = BackendCases.Open(c);
        var rng = new Random(n + (int)(p * 10));
        var x = Parity.Random(rng, n);
        ulong key = DropoutMask.LayerKey(42, 0);
        const long step = 17;
        var expected = D(x);
        Dropout.Forward(expected, n, p, key, step);
        using var bx = Up(b, x);
        b.Dropout(bx, n, p, key, step);
        var got = Down(b, bx);
        AssertClose(expected, got, "y");
        int firstOther = Enumerable.Range(0, n).FirstOrDefault(i => (got[i] == 0f) != (expected[i] == 0.0), -1);
        Assert.That(firstOther, Is.EqualTo(-1), "the first element whose mask differs from the reference's");
        // The backward pass on dY multiplies by the same mask.
        b.Dropout(bx, n, p, key, step);
        Dropout.Backward(expected, n, p, key, step);
        AssertClose(expected, Down(b, bx), "dY after the backward mask");
    }

    [Test]
    public void ZeroProbabilityLeavesValuesBitIdentical([ValueSource(typeof(BackendCases), nameof(BackendCases.All))] BackendCase c)
    {
        using var b = BackendCases.Open(c);
        var x = Parity.Random(new Random(3), 1000, 50);
        using var bx = Up(b, x);
        b.Dropout(bx, x.Length, 0f, 9, 0);
        Assert.That(Down(b, bx), Is.EqualTo(x));
    }

    [Test]
    public void MaskKeepsTheRightShareAndChangesWithStepAndLayer()
    {
        const int n = 200_000;
        uint threshold = DropoutMask.Threshold(0.3);
        ulong k0 = DropoutMask.LayerKey(1, 0), k1 = DropoutMask.LayerKey(1, 1);
        int kept = 0, sameStep = 0, sameLayer = 0;
        for (int i = 0; i < n; i++)
        {
            bool keep = DropoutMask.Keep(k0, 5, i, threshold);
            if (keep) kept++;
            if (keep == DropoutMask.Keep(k0, 6, i, threshold)) sameStep++;
            if (keep == DropoutMask.Keep(k1, 5, i, threshold)) sameLayer++;
        }
        // Independent masks with keep rate q agree on q² + (1 − q)² = 0.58 of the elements.
        Assert.That(kept / (double)n, Is.EqualTo(0.7).Within(0.005));
        Assert.That(sameStep / (double)n, Is.EqualTo(0.58).Within(0.005));
        Assert.That(sameLayer / (double)n, Is.EqualTo(0.58).Within(0.005));
    }

    [Test]
    public void KeptUnitsAreScaledByTheInverseKeepRate()
    {
        var y = Enumerable.Repeat(2.0, 1000).ToArray();
        Dropout.Forward(y, y.Length, 0.75, 3, 0);
        Assert.That(y.Where(v => v != 0).Distinct(), Is.EqualTo(new[] { 8.0 }));
        Assert.That(y.Average(), Is.EqualTo(2.0).Within(0.3), "inverted dropout keeps the mean");
    }
}
