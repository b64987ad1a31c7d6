using GpuSiamese.Data;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// Small labelled image sets for model tests: ten random 14x14 prototypes, one per digit, each image its
/// prototype plus noise, clamped to [0,1]. With the default noise an untrained network scores an AUC near 0.65 and a few hundred training pairs
/// bring it above 0.95.
/// </summary>
public static class SyntheticDigits
{
    public static ImageSet Create(int perDigit, int seed, double noise = 0.8)
    {
        var rng = new Random(seed);
        var prototypes = new double[10][];
        var protoRng = new Random(12345);
        for (int d = 0; d < 10; d++)
        {
            prototypes[d] = new double[ImageSet.Size];
            for (int k = 0; k < ImageSet.Size; k++) prototypes[d][k] = protoRng.NextDouble() < 0.3 ? 0.9 : 0.05;
        }
        int n = 10 * perDigit;
        var pixels = new float[n * ImageSet.Size];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int d = i % 10;
            labels[i] = (byte)d;
            for (int k = 0; k < ImageSet.Size; k++)
                pixels[i * ImageSet.Size + k] = (float)Math.Clamp(prototypes[d][k] + (rng.NextDouble() * 2 - 1) * noise, 0, 1);
        }
        return new ImageSet(pixels, labels);
    }

    /// <summary>
    /// The same idea at 28x28 with the originals kept (for augmentation): each digit a random blob pattern
    /// of 7x7 cells of 4x4 pixels, plus noise; the 14x14 pixels are the pool of the 28x28 bytes.
    /// </summary>
    public static ImageSet CreateWithOriginals(int perDigit, int seed, double noise = 0.5)
    {
        var rng = new Random(seed);
        var protoRng = new Random(54321);
        var cells = new bool[10, 49];
        for (int d = 0; d < 10; d++)
            for (int c = 0; c < 49; c++) cells[d, c] = protoRng.NextDouble() < 0.35;
        int n = 10 * perDigit;
        var raw = new byte[n * ImageSet.RawSize];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int d = i % 10;
            labels[i] = (byte)d;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double v = cells[d, y / 4 * 7 + x / 4] ? 0.9 : 0.05;
                    v = Math.Clamp(v + (rng.NextDouble() * 2 - 1) * noise, 0, 1);
                    raw[i * ImageSet.RawSize + y * 28 + x] = (byte)Math.Round(v * 255);
                }
        }
        return new ImageSet(Downsample.PoolAll(raw, n), labels, raw);
    }
}
