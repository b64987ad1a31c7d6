namespace GpuSiamese.Data;

/// <summary>
/// Seeded augmentation of a 28x28 digit before the 2x2 pool: a random shift of up to ±<see cref="MaxShift"/> pixels
/// on each axis, a rotation of up to ±<see cref="MaxRotationDegrees"/>, and a scale in
/// [<see cref="MinScale"/>, <see cref="MaxScale"/>], all uniform, about the image's centre, sampled bilinearly with
/// black outside. Output pixel p takes the source at c + R(−θ)·(p − c − t)/s, with c = (13.5, 13.5).
/// </summary>
public sealed class Augmenter
{
    public double MaxShift { get; }
    public double MaxRotationDegrees { get; }
    public double MinScale { get; }
    public double MaxScale { get; }

    public Augmenter(double maxShift = 2, double maxRotationDegrees = 15, double minScale = 0.9, double maxScale = 1.1)
    {
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
    }

    /// <summary>Draws a shift, angle and scale from <paramref name="rng"/>, transforms <paramref name="raw28"/>, pools into <paramref name="out14"/>.</summary>
    public void Augment(ReadOnlySpan<byte> raw28, Span<float> out14, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double dx = (2 * rng.NextDouble() - 1) * MaxShift;
        double dy = (2 * rng.NextDouble() - 1) * MaxShift;
        double angle = (2 * rng.NextDouble() - 1) * MaxRotationDegrees * Math.PI / 180;
        double scale = MinScale + rng.NextDouble() * (MaxScale - MinScale);
        Transform(raw28, out14, dx, dy, angle, scale);
    }

    /// <summary>The deterministic part: applies one given shift (pixels), angle (radians) and scale, then pools.</summary>
    public static void Transform(ReadOnlySpan<byte> raw28, Span<float> out14, double dx, double dy, double angle, double scale)
    {
        const int n = ImageSet.RawSide;
        if (raw28.Length != ImageSet.RawSize)
            throw new ArgumentException($"expected {ImageSet.RawSize} bytes, got {raw28.Length}", nameof(raw28));
        if (out14.Length != ImageSet.Size)
            throw new ArgumentException($"expected {ImageSet.Size} floats, got {out14.Length}", nameof(out14));
        if (!double.IsFinite(dx) || !double.IsFinite(dy) || !double.IsFinite(angle) || !(scale > 0 && double.IsFinite(scale)))
            throw new ArgumentException($"transform shift ({dx}, {dy}), angle {angle}, scale {scale}: expected finite values and a positive scale");

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
                float sx = Math.Clamp(c + cos * px + sin * py + Pad, 0f, Padded - 1.001f);
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
