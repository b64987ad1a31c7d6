namespace GpuSiamese.Kernels;

/// <summary>
/// The keep/drop decision of inverted dropout as a pure function of (key, step, index): a counter-based hash
/// (SplitMix64's finaliser over a Weyl combination of the three), so every backend draws the same mask without
/// any generator state on the device, and a resumed run draws the masks the whole run would have drawn.
/// All three kernel flavours call <see cref="Keep"/>; it is plain integer arithmetic that ILGPU compiles.
/// </summary>
public static class DropoutMask
{
    /// <summary>The 24 hash bits compared with the threshold give drop probabilities in steps of 2^-24.</summary>
    public const int Bits = 24;

    /// <summary>The threshold of drop probability p: an element is dropped when its 24-bit hash is below it.</summary>
    public static uint Threshold(double p) => (uint)Math.Round(p * (1 << Bits));

    /// <summary>The key of hidden layer <paramref name="layer"/> of a run seeded with <paramref name="seed"/>.</summary>
    public static ulong LayerKey(ulong seed, int layer) => Mix(seed ^ Mix(0xD1B54A32D192ED03UL * (ulong)(layer + 1)));

    /// <summary>True when element <paramref name="index"/> is kept at <paramref name="step"/>: hash24(key, step, index) ≥ threshold.</summary>
    public static bool Keep(ulong key, long step, int index, uint threshold)
    {
        ulong x = key + 0x9E3779B97F4A7C15UL * (ulong)(step + 1) + 0xBF58476D1CE4E5B9UL * (ulong)(index + 1);
        return (uint)(Mix(x) >> (64 - Bits)) >= threshold;
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
