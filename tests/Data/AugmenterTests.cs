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

    static float[] RandomImage(ImageShape shape, int seed)
    {
        var random = new Random(seed);
        var image = new float[shape.Size];
        for (int i = 0; i < image.Length; i++) image[i] = (float)random.NextDouble();
        return image;
    }

    static float At(float[] image, ImageShape s, int y, int x, int c) => image[(y * s.Width + x) * s.Channels + c];

    [TestCase(1, 5, 7)]
    [TestCase(3, 6, 9)]
    [TestCase(3, 1, 1)]
    public void AnInputImageIsMirroredExactlyAndTwiceIsItself(int channels, int height, int width)
    {
        var shape = new ImageShape(channels, height, width);
        var image = RandomImage(shape, 3);
        var mirrored = new float[shape.Size];
        Augmenter.Mirror(image, shape, mirrored, mirror: true);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    Assert.That(At(mirrored, shape, y, x, c), Is.EqualTo(At(image, shape, y, width - 1 - x, c)));
        var back = new float[shape.Size];
        Augmenter.Mirror(mirrored, shape, back, mirror: true);
        Assert.That(back, Is.EqualTo(image));
        Augmenter.Mirror(image, shape, back, mirror: false);
        Assert.That(back, Is.EqualTo(image));
        // The resampling path agrees on whole pixels: the identity transform, mirrored.
        var resampled = new float[shape.Size];
        Augmenter.TransformImage(image, shape, resampled, 0, 0, 0, 1, mirror: true);
        Assert.That(resampled, Is.EqualTo(mirrored));
    }

    [Test]
    public void AnInputImageShiftedByWholePixelsRepeatsItsBorder()
    {
        var shape = new ImageShape(3, 6, 8);
        var image = RandomImage(shape, 4);
        var shifted = new float[shape.Size];
        Augmenter.TransformImage(image, shape, shifted, dx: 2, dy: -1, angle: 0, scale: 1, mirror: false);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 8; x++)
                for (int c = 0; c < 3; c++)
                    Assert.That(At(shifted, shape, y, x, c), Is.EqualTo(At(image, shape, Math.Min(y + 1, 5), Math.Max(x - 2, 0), c)),
                        $"pixel ({y}, {x}) channel {c}");
    }

    [Test]
    public void AnInputImageTurnedAQuarterMovesItsCorners()
    {
        // Worked out from c + R(−θ)·(p − c) with θ = π/2 and c = 2: column sx = c + (y − c) = y, row sy = c − (x − c) = 4 − x.
        var shape = new ImageShape(1, 5, 5);
        var image = RandomImage(shape, 5);
        var turned = new float[shape.Size];
        Augmenter.TransformImage(image, shape, turned, 0, 0, Math.PI / 2, 1, mirror: false);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                Assert.That(At(turned, shape, y, x, 0), Is.EqualTo(At(image, shape, 4 - x, y, 0)).Within(1e-5f), $"pixel ({y}, {x})");
    }

    [Test]
    public void AMirroredOriginalPoolsToTheMirroredDigit()
    {
        var raw = RandomDigit(6);
        var mirroredRaw = new byte[784];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                mirroredRaw[y * 28 + x] = raw[y * 28 + 27 - x];
        var expected = new float[196];
        Downsample.Pool(mirroredRaw, expected);
        var actual = new float[196];
        Augmenter.Transform(raw, actual, 0, 0, 0, 1, mirror: true);
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void TheFlipMirrorsAboutHalfTheImagesAndLeavesTheGeometricStreamAsItWas()
    {
        var shape = new ImageShape(1, 4, 4);
        var image = RandomImage(shape, 7);
        var mirrored = new float[shape.Size];
        Augmenter.Mirror(image, shape, mirrored, mirror: true);
        var flipOnly = new Augmenter(geometric: false, flip: true);
        var rng = new Rng(9);
        var output = new float[shape.Size];
        int flipped = 0;
        for (int t = 0; t < 1000; t++)
        {
            flipOnly.AugmentImage(image, shape, output, rng);
            if (output.SequenceEqual(mirrored)) flipped++;
            else Assert.That(output, Is.EqualTo(image), "a flip-only augmenter either mirrors or copies");
        }
        Assert.That(flipped, Is.InRange(440, 560), "binomial(1000, 1/2) lies within ±60 with probability > 0.999");

        // Without the flip an augmenter draws exactly the four geometric values per image, as before the flip existed.
        var raw = RandomDigit(8);
        var withAugmenter = new float[196];
        var byHand = new float[196];
        var a = new Rng(10);
        var b = new Rng(10);
        var augmenter = new Augmenter();
        for (int t = 0; t < 5; t++)
        {
            augmenter.Augment(raw, withAugmenter, a);
            double dx = (2 * b.NextDouble() - 1) * 2, dy = (2 * b.NextDouble() - 1) * 2;
            double angle = (2 * b.NextDouble() - 1) * 15 * Math.PI / 180, scale = 0.9 + b.NextDouble() * 0.2;
            Augmenter.Transform(raw, byHand, dx, dy, angle, scale);
            Assert.That(withAugmenter, Is.EqualTo(byHand));
        }
    }

    [Test]
    public void BadRangesAndSizesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new Augmenter(geometric: false, flip: false));
        var shape = new ImageShape(3, 4, 4);
        Assert.Throws<ArgumentException>(() => new Augmenter().AugmentImage(new float[47], shape, new float[48], new Rng(1)));
        Assert.Throws<ArgumentException>(() => new Augmenter().AugmentImage(new float[48], shape, new float[47], new Rng(1)));
        Assert.Throws<ArgumentException>(() => Augmenter.TransformImage(new float[48], shape, new float[48], 0, 0, 0, -1, false));
        Assert.Throws<ArgumentException>(() => Augmenter.Mirror(new float[48], new ImageShape(2, 4, 6), new float[48], true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(maxShift: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(maxRotationDegrees: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(minScale: 1.2, maxScale: 1.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmenter(minScale: 0));
        Assert.Throws<ArgumentException>(() => new Augmenter().Augment(new byte[783], new float[196], new Rng(1)));
        Assert.Throws<ArgumentException>(() => Augmenter.Transform(new byte[784], new float[196], double.NaN, 0, 0, 1));
        Assert.Throws<ArgumentException>(() => Augmenter.Transform(new byte[784], new float[196], 0, 0, 0, 0));
    }
}
