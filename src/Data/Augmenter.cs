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
        const double c = (n - 1) / 2.0;
        double cos = Math.Cos(angle) / scale, sin = Math.Sin(angle) / scale;
        Span<double> image = stackalloc double[ImageSet.RawSize];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                double px = x - c - dx, py = y - c - dy;
                // Inverse rotation by the angle, inverse scale.
                double sx = c + cos * px + sin * py;
                double sy = c - sin * px + cos * py;
                image[y * n + x] = Bilinear(raw28, sx, sy);
            }
        // Same pool as Downsample: four values in byte units summed, divided by 1020.
        for (int r = 0; r < ImageSet.Side; r++)
            for (int col = 0; col < ImageSet.Side; col++)
            {
                int i = 2 * r * n + 2 * col;
                out14[r * ImageSet.Side + col] = (float)((image[i] + image[i + 1] + image[i + n] + image[i + n + 1]) / 1020.0);
            }
    }

    static double Bilinear(ReadOnlySpan<byte> img, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        return (1 - fy) * ((1 - fx) * At(img, x0, y0) + fx * At(img, x0 + 1, y0))
             + fy * ((1 - fx) * At(img, x0, y0 + 1) + fx * At(img, x0 + 1, y0 + 1));
    }

    static double At(ReadOnlySpan<byte> img, int x, int y) =>
        (uint)x < ImageSet.RawSide && (uint)y < ImageSet.RawSide ? img[y * ImageSet.RawSide + x] : 0.0;
}
