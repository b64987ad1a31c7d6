namespace GpuSiamese.Data;

/// <summary>
/// Seeded augmentation of training images. The geometric part (<see cref="Geometric"/>): a random shift of up to
/// ±<see cref="MaxShift"/> pixels on each axis, a rotation of up to ±<see cref="MaxRotationDegrees"/>, and a scale in
/// [<see cref="MinScale"/>, <see cref="MaxScale"/>], all uniform, about the image's centre, sampled bilinearly: output
/// pixel p takes the source at c + R(−θ)·(p − c − t)/s, c the centre ((13.5, 13.5) for 28x28). The mirror
/// (<see cref="Flip"/>): with probability 1/2 the image is flipped left to right (the source read at x' = W − 1 − x).
/// Two paths: <see cref="Augment"/> transforms a 28x28 grey original before MNIST's 2x2 pool, black outside (MNIST at
/// 14x14); <see cref="AugmentImage"/> transforms the input image itself at its own size, any channels, the border
/// pixels extending outward (every other input: Fashion-MNIST at 28x28, folders of photos).
/// Each image draws shift x, shift y, angle, scale (geometric), then the mirror's coin (flip), in that order.
/// </summary>
public sealed class Augmenter
{
    public double MaxShift { get; }
    public double MaxRotationDegrees { get; }
    public double MinScale { get; }
    public double MaxScale { get; }

    /// <summary>Whether images are shifted, rotated and scaled (else only mirrored, when <see cref="Flip"/>).</summary>
    public bool Geometric { get; }

    /// <summary>Whether half the images, chosen at random, are mirrored left to right.</summary>
    public bool Flip { get; }

    public Augmenter(double maxShift = 2, double maxRotationDegrees = 15, double minScale = 0.9, double maxScale = 1.1,
        bool geometric = true, bool flip = false)
    {
        if (!geometric && !flip)
            throw new ArgumentException("an augmenter needs the geometric transform, the mirror or both", nameof(geometric));
        if (!(maxShift >= 0 && maxShift <= ImageSet.RawSide))
            throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, "expected a shift of 0 to 28 pixels");
        if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180))
            throw new ArgumentOutOfRangeException(nameof(maxRotationDegrees), maxRotationDegrees, "expected a rotation of 0 to 180 degrees");
        if (!(minScale > 0 && maxScale >= minScale && double.IsFinite(maxScale)))
            throw new ArgumentOutOfRangeException(nameof(minScale), $"scale range [{minScale}, {maxScale}]: expected 0 < min <= max");
        MaxShift = maxShift;
        MaxRotationDegrees = maxRotationDegrees;
        MinScale = minScale;
        MaxScale = maxScale;
        Geometric = geometric;
        Flip = flip;
    }

    /// <summary>Draws a transform from <paramref name="rng"/>, applies it to <paramref name="raw28"/>, pools into <paramref name="out14"/>.</summary>
    public void Augment(ReadOnlySpan<byte> raw28, Span<float> out14, Rng rng)
    {
        var (dx, dy, angle, scale, mirror) = Draw(rng);
        Transform(raw28, out14, dx, dy, angle, scale, mirror);
    }

    /// <summary>
    /// Draws a transform from <paramref name="rng"/> and applies it to <paramref name="image"/> (input values, channels
    /// last, of <paramref name="shape"/>) into <paramref name="output"/>, at the image's own size.
    /// </summary>
    public void AugmentImage(ReadOnlySpan<float> image, ImageShape shape, Span<float> output, Rng rng)
    {
        var (dx, dy, angle, scale, mirror) = Draw(rng);
        if (Geometric)
            TransformImage(image, shape, output, dx, dy, angle, scale, mirror);
        else
            Mirror(image, shape, output, mirror);
    }

    (double Dx, double Dy, double Angle, double Scale, bool Mirror) Draw(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double dx = 0, dy = 0, angle = 0, scale = 1;
        if (Geometric)
        {
            dx = (2 * rng.NextDouble() - 1) * MaxShift;
            dy = (2 * rng.NextDouble() - 1) * MaxShift;
            angle = (2 * rng.NextDouble() - 1) * MaxRotationDegrees * Math.PI / 180;
            scale = MinScale + rng.NextDouble() * (MaxScale - MinScale);
        }
        bool mirror = Flip && rng.NextInt(2) == 1;
        return (dx, dy, angle, scale, mirror);
    }

    /// <summary>
    /// The deterministic part at any size: output pixel p of every channel takes the source at
    /// c + R(−θ)·(p − c − t)/s (then x ↦ W − 1 − x when <paramref name="mirror"/>), c = ((W − 1)/2, (H − 1)/2),
    /// sampled bilinearly with the coordinates clamped to the image (its border pixels extend outward).
    /// </summary>
    public static void TransformImage(ReadOnlySpan<float> image, ImageShape shape, Span<float> output,
        double dx, double dy, double angle, double scale, bool mirror)
    {
        CheckImage(image, shape, output);
        CheckTransform(dx, dy, angle, scale);
        int h = shape.Height, w = shape.Width, ch = shape.Channels;
        float cx = (w - 1) / 2f, cy = (h - 1) / 2f;
        float cos = (float)(Math.Cos(angle) / scale), sin = (float)(Math.Sin(angle) / scale);
        float tx = (float)dx, ty = (float)dy;
        for (int y = 0; y < h; y++)
        {
            float py = y - cy - ty;
            for (int x = 0; x < w; x++)
            {
                float px = x - cx - tx;
                float sx = cx + cos * px + sin * py, sy = cy - sin * px + cos * py;
                if (mirror) sx = w - 1 - sx;
                sx = Math.Clamp(sx, 0f, w - 1);
                sy = Math.Clamp(sy, 0f, h - 1);
                int x0 = Math.Min((int)sx, w - 1), y0 = Math.Min((int)sy, h - 1);
                int x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
                float fx = sx - x0, fy = sy - y0;
                int o = (y * w + x) * ch;
                int i00 = (y0 * w + x0) * ch, i01 = (y0 * w + x1) * ch, i10 = (y1 * w + x0) * ch, i11 = (y1 * w + x1) * ch;
                for (int c = 0; c < ch; c++)
                    output[o + c] = (1 - fy) * ((1 - fx) * image[i00 + c] + fx * image[i01 + c])
                                  + fy * ((1 - fx) * image[i10 + c] + fx * image[i11 + c]);
            }
        }
    }

    /// <summary>The image copied, mirrored left to right when <paramref name="mirror"/> (exact: no resampling).</summary>
    public static void Mirror(ReadOnlySpan<float> image, ImageShape shape, Span<float> output, bool mirror)
    {
        CheckImage(image, shape, output);
        int w = shape.Width, ch = shape.Channels;
        for (int y = 0; y < shape.Height; y++)
            for (int x = 0; x < w; x++)
                image.Slice((y * w + (mirror ? w - 1 - x : x)) * ch, ch).CopyTo(output.Slice((y * w + x) * ch, ch));
    }

    static void CheckImage(ReadOnlySpan<float> image, ImageShape shape, Span<float> output)
    {
        shape.Validate("augmented image");
        if (image.Length != shape.Size)
            throw new ArgumentException($"expected {shape.Size} values of a {shape} image, got {image.Length}", nameof(image));
        if (output.Length != shape.Size)
            throw new ArgumentException($"expected room for {shape.Size} values of a {shape} image, got {output.Length}", nameof(output));
    }

    static void CheckTransform(double dx, double dy, double angle, double scale)
    {
        if (!double.IsFinite(dx) || !double.IsFinite(dy) || !double.IsFinite(angle) || !(scale > 0 && double.IsFinite(scale)))
            throw new ArgumentException($"transform shift ({dx}, {dy}), angle {angle}, scale {scale}: expected finite values and a positive scale");
    }

    /// <summary>
    /// The deterministic part on a 28x28 original: applies one given shift (pixels), angle (radians) and scale (and the
    /// mirror), then pools.
    /// </summary>
    public static void Transform(ReadOnlySpan<byte> raw28, Span<float> out14, double dx, double dy, double angle, double scale,
        bool mirror = false)
    {
        const int n = ImageSet.RawSide;
        if (raw28.Length != ImageSet.RawSize)
            throw new ArgumentException($"expected {ImageSet.RawSize} bytes, got {raw28.Length}", nameof(raw28));
        if (out14.Length != ImageSet.Size)
            throw new ArgumentException($"expected {ImageSet.Size} floats, got {out14.Length}", nameof(out14));
        CheckTransform(dx, dy, angle, scale);

        // The source sits in a zero border wide enough that every clamped sample reads zero outside the image,
        // which keeps bounds checks out of the inner loop.
        Span<float> padded = stackalloc float[Padded * Padded];
        padded.Clear();
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                padded[(y + Pad) * Padded + x + Pad] = raw28[y * n + x];

        const float c = (n - 1) / 2f;
        float cos = (float)(Math.Cos(angle) / scale), sin = (float)(Math.Sin(angle) / scale);
        float tx = (float)dx, ty = (float)dy;
        Span<float> image = stackalloc float[ImageSet.RawSize];
        for (int y = 0; y < n; y++)
        {
            float py = y - c - ty;
            for (int x = 0; x < n; x++)
            {
                float px = x - c - tx;
                // Inverse rotation by the angle, inverse scale, into padded coordinates.
                float ux = c + cos * px + sin * py;
                if (mirror) ux = n - 1 - ux;
                float sx = Math.Clamp(ux + Pad, 0f, Padded - 1.001f);
                float sy = Math.Clamp(c - sin * px + cos * py + Pad, 0f, Padded - 1.001f);
                int x0 = (int)sx, y0 = (int)sy;
                float fx = sx - x0, fy = sy - y0;
                int i = y0 * Padded + x0;
                image[y * n + x] = (1 - fy) * ((1 - fx) * padded[i] + fx * padded[i + 1])
                                 + fy * ((1 - fx) * padded[i + Padded] + fx * padded[i + Padded + 1]);
            }
        }
        // Same pool as Downsample: four values in byte units summed, divided by 1020.
        for (int r = 0; r < ImageSet.Side; r++)
            for (int col = 0; col < ImageSet.Side; col++)
            {
                int i = 2 * r * n + 2 * col;
                out14[r * ImageSet.Side + col] = (float)(((double)image[i] + image[i + 1] + image[i + n] + image[i + n + 1]) / 1020.0);
            }
    }

    /// <summary>Two zero pixels around the 28x28 source: a sample clamped to either edge reads only zeros.</summary>
    const int Pad = 2;
    const int Padded = ImageSet.RawSide + 2 * Pad;
}
