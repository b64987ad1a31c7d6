namespace GpuSiamese.Data;

/// <summary>
/// The exercise's balanced evaluation set (SPEC §2): <c>positivesPerDigit</c> same-digit pairs for each digit and
/// <c>negativesPerPair</c> pairs for each of the 45 unordered digit pairs (8,000 + 9,000 = 17,000 by default),
/// drawn uniformly without repeating an unordered image pair, the sides of negatives random, the whole set
/// shuffled. Different seeds give different sets.
/// </summary>
public static class BalancedPairSet
{
    public static PairSet Create(ImageSet set, Rng rng, int positivesPerDigit = 800, int negativesPerPair = 200)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rng);
        if (positivesPerDigit < 0)
            throw new ArgumentOutOfRangeException(nameof(positivesPerDigit), positivesPerDigit, "expected 0 or more positive pairs per digit");
        if (negativesPerPair < 0)
            throw new ArgumentOutOfRangeException(nameof(negativesPerPair), negativesPerPair, "expected 0 or more negative pairs per digit pair");
        var byDigit = set.IndicesByDigit();
        int total = 10 * positivesPerDigit + DigitPairs.Count * negativesPerPair;
        var left = new int[total];
        var right = new int[total];
        var labels = new int[total];
        int n = 0;

        for (int d = 0; d < 10; d++)
        {
            long m = byDigit[d].Length;
            long available = m * (m - 1) / 2;
            if (available < positivesPerDigit)
                throw new ArgumentException($"digit {d} has {m} images, {available} distinct pairs: too few for {positivesPerDigit} positive pairs");
            foreach (var (x, y) in DistinctPairs(byDigit[d], byDigit[d], positivesPerDigit, rng))
            {
                left[n] = x; right[n] = y; labels[n++] = PairSampler.Same;
            }
        }
        foreach (var (a, b) in DigitPairs.All)
        {
            long available = (long)byDigit[a].Length * byDigit[b].Length;
            if (available < negativesPerPair)
                throw new ArgumentException($"digits {a} and {b} have {available} distinct pairs: too few for {negativesPerPair} negative pairs");
            foreach (var (x, y) in DistinctPairs(byDigit[a], byDigit[b], negativesPerPair, rng))
            {
                bool swap = rng.NextInt(2) == 1;
                left[n] = swap ? y : x; right[n] = swap ? x : y; labels[n++] = PairSampler.Different;
            }
        }

        // One permutation applied to the three arrays keeps each pair together.
        var order = new int[total];
        for (int i = 0; i < total; i++)
            order[i] = i;
        rng.Shuffle(order.AsSpan());
        return new PairSet(order.Select(i => left[i]).ToArray(), order.Select(i => right[i]).ToArray(), order.Select(i => labels[i]).ToArray());
    }

    /// <summary>
    /// <paramref name="count"/> distinct pairs (x from xs, y from ys, x ≠ y; {x, y} unordered when xs is ys), uniform
    /// among all such pairs. Rejection sampling while the demand is a small part of what exists; otherwise every pair
    /// is listed and a partial Fisher–Yates picks from the list.
    /// </summary>
    static List<(int, int)> DistinctPairs(int[] xs, int[] ys, int count, Rng rng)
    {
        bool same = ReferenceEquals(xs, ys);
        long available = same ? (long)xs.Length * (xs.Length - 1) / 2 : (long)xs.Length * ys.Length;
        var result = new List<(int, int)>(count);
        if (available <= 4L * count + 1024)
        {
            var all = new List<(int, int)>((int)available);
            for (int i = 0; i < xs.Length; i++)
                for (int j = same ? i + 1 : 0; j < ys.Length; j++)
                    all.Add((xs[i], ys[j]));
            for (int k = 0; k < count; k++)
            {
                int r = k + rng.NextInt(all.Count - k);
                (all[k], all[r]) = (all[r], all[k]);
                result.Add(RandomOrder(all[k], same, rng));
            }
            return result;
        }
        var seen = new HashSet<long>(count);
        while (result.Count < count)
        {
            int x = xs[rng.NextInt(xs.Length)];
            int y = ys[rng.NextInt(ys.Length)];
            if (x == y)
                continue;
            long key = same ? ((long)Math.Min(x, y) << 32) | (uint)Math.Max(x, y) : ((long)x << 32) | (uint)y;
            if (seen.Add(key))
                result.Add((x, y));
        }
        return result;
    }

    static (int, int) RandomOrder((int X, int Y) pair, bool same, Rng rng) =>
        same && rng.NextInt(2) == 1 ? (pair.Y, pair.X) : pair;
}
