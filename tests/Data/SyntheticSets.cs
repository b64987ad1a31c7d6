using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

/// <summary>Image sets made up for sampler tests: image i carries i in its first pixel (i / 1e5), so copies can be traced back.</summary>
public static class SyntheticSets
{
    public static ImageSet WithCounts(params int[] perDigit)
    {
        int total = perDigit.Sum();
        var labels = new byte[total];
        var pixels = new float[total * ImageSet.Size];
        var order = new List<byte>();
        for (int d = 0; d < 10; d++)
            for (int k = 0; k < perDigit[d]; k++)
                order.Add((byte)d);
        // Interleave the digits deterministically so indices of one digit are not contiguous.
        var random = new Random(7);
        var shuffled = order.OrderBy(_ => random.Next()).ToArray();
        for (int i = 0; i < total; i++)
        {
            labels[i] = shuffled[i];
            pixels[i * ImageSet.Size] = i / 1e5f;
        }
        return new ImageSet(pixels, labels);
    }

    public static ImageSet Uniform(int perDigit) => WithCounts(Enumerable.Repeat(perDigit, 10).ToArray());

    public static int Id(ImageSet set, int index) => (int)MathF.Round(set.Pixels[index * ImageSet.Size] * 1e5f);
}
