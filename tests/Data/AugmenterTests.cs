using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class AugmenterTests
{
    static byte[] RandomDigit(int seed)
    {
        // Random ink in the central 16x16, black border: nothing is pushed off the field by small moves.
        var random = new Random(seed);
        var raw = new byte[784];
        for (int y = 6; y < 22; y++)
            for (int x = 6; x < 22; x++)
                raw[y * 28 + x] = (byte)random.Next(256);
        return raw;
    }

    [Test]
    public void TheIdentityIsExactlyTheDownsample()
    {
        var raw = RandomDigit(1);
        var expected = new float[196];
        Downsample.Pool(raw, expected);
        var actual = new float[196];
        Augmenter.Transform(raw, actual, 0, 0, 0, 1);
        Assert.That(actual, Is.EqualTo(expected));
        new Augmenter(0, 0, 1, 1).Augment(raw, actual, new Rng(5));
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void AWholePixelShiftMovesThePixels()
    {
        var raw = RandomDigit(2);
        var shifted = new byte[784];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (x - 2 >= 0 && y + 1 < 28)
                    shifted[y * 28 + x] = raw[(y + 1) * 28 + x - 2];
        var expected = new float[196];
        Downsample.Pool(shifted, expected);
        var actual = new float[196];
        Augmenter.Transform(raw, actual, dx: 2, dy: -1, angle: 0, scale: 1);
        Assert.That(actual, Is.EqualTo(expected).Within(1e-6f));
    }

    [Test]
    public void AQuarterTurnRotatesThePixels()
    {
        var raw = RandomDigit(3);
        var rotated = new byte[784];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                rotated[y * 28 + x] = raw[(27 - x) * 28 + y]; // output (x, y) takes source (y, 27 − x)
        var expected = new float[196];
        Downsample.Pool(rotated, expected);
        var actual = new float[196];
        Augmenter.Transform(raw, actual, 0, 0, Math.PI / 2, 1);
        Assert.That(actual, Is.EqualTo(expected).Within(1e-5f));
    }

    [Test]
    public void FarShiftsLeaveABlackField()
    {
        var out14 = new float[196];
        Augmenter.Transform(RandomDigit(5), out14, 40, -35, 0.3, 1);
        Assert.That(out14, Is.All.Zero);
    }

    [Test]
    public void ScalingUpSpreadsTheInk()
    {
        var raw = new byte[784];
        for (int y = 11; y < 17; y++)
            for (int x = 11; x < 17; x++)
                raw[y * 28 + x] = 255; // a 6x6 square centred on the field
        var out14 = new float[196];
        Augmenter.Transform(raw, out14, 0, 0, 0, 2);
        // Twice the side: about four times the ink (bilinear edges blur a little).
        Assert.That(out14.Sum() * 4, Is.EqualTo(4 * 36).Within(6));
    }

    [Test]
    public void RandomAugmentationIsSeededAndStaysInRange()
    {
        var raw = RandomDigit(4);
        var augmenter = new Augmenter();
        var a = new float[196];
        var b = new float[196];
        var plain = new float[196];
        Downsample.Pool(raw, plain);
        var rngA = new Rng(8);
        var rngB = new Rng(8);
        int differing = 0;
        for (int t = 0; t < 200; t++)
        {
            augmenter.Augment(raw, a, rngA);
            augmenter.Augment(raw, b, rngB);
            Assert.That(b, Is.EqualTo(a));
            Assert.That(a, Is.All.InRange(0f, 1f));
            // With ±2 px, ±15° and ×0.9–1.1 the ink stays on the field: the total is kept to within the scale's square.
            Assert.That(a.Sum(), Is.InRange(plain.Sum() * 0.75f, plain.Sum() * 1.3f));
            if (!a.SequenceEqual(plain))
                differing++;
        }
        Assert.That(differing, Is.EqualTo(200));
    }

    [Test]
    public void BadRangesAndSizesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(maxShift: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(maxRotationDegrees: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(minScale: 1.2, maxScale: 1.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(minScale: 0));
        Assert.Throws<ArgumentException>(() => new Augmenter().Augment(new byte[783], new float[196], new Rng(1)));
        Assert.Throws<ArgumentException>(() => Augmenter.Transform(new byte[784], new float[196], double.NaN, 0, 0, 1));
        Assert.Throws<ArgumentException>(() => Augmenter.Transform(new byte[784], new float[196], 0, 0, 0, 0));
    }
}
