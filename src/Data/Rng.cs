namespace GpuSiamese.Data;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded by SplitMix64 from one 64-bit seed. Every random choice of a
/// run is drawn from one of these, handed down explicitly, so a run is reproducible from its seed.
/// </summary>
public sealed class Rng
{
    ulong _s0, _s1, _s2, _s3;
    bool _hasSpareGaussian;
    double _spareGaussian;

    /// <summary>State words s0..s3 = four successive SplitMix64 outputs starting from <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    Rng(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
    }

    static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>result = rotl(s1·5, 7)·9, then the xoshiro256 state transition.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, maxExclusive), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "expected a positive bound");
        ulong bound = (ulong)maxExclusive;
        UInt128 m = (UInt128)NextUInt64() * bound;
        ulong low = (ulong)m;
        if (low < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * bound;
                low = (ulong)m;
            }
        }
        return (int)(ulong)(m >> 64);
    }

    /// <summary>Uniform in [0, 1): the top 53 bits times 2^-53.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, 1): the top 24 bits times 2^-24.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Standard normal by the Marsaglia polar method; the second value of each pair is kept for the next call.</summary>
    public double NextGaussian()
    {
        if (_hasSpareGaussian)
        {
            _hasSpareGaussian = false;
            return _spareGaussian;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * f;
        _hasSpareGaussian = true;
        return u * f;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// A child stream seeded by SplitMix64 from one draw of this one: independent of the parent's later draws
    /// for every practical purpose, and itself reproducible.
    /// </summary>
    public Rng Fork() => new(NextUInt64());

    /// <summary>The four state words plus the cached Gaussian (flag, bits): enough to continue exactly.</summary>
    public ulong[] GetState() =>
        [_s0, _s1, _s2, _s3, _hasSpareGaussian ? 1UL : 0UL, (ulong)BitConverter.DoubleToInt64Bits(_spareGaussian)];

    /// <summary>Rebuilds a generator from <see cref="GetState"/>; also accepts the bare four state words.</summary>
    public static Rng FromState(ulong[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != 4 && state.Length != 6)
            throw new ArgumentException($"expected 4 or 6 state words, got {state.Length}", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException("an all-zero xoshiro256** state never leaves zero", nameof(state));
        var rng = new Rng(state[0], state[1], state[2], state[3]);
        if (state.Length == 6)
        {
            rng._hasSpareGaussian = state[4] != 0;
            rng._spareGaussian = BitConverter.Int64BitsToDouble((long)state[5]);
        }
        return rng;
    }
}
