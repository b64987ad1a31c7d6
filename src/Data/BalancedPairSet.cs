namespace GpuSiamese.Data;

/// <summary>
/// The exercise's balanced evaluation set (SPEC §2): <c>positivesPerDigit</c> same-digit pairs for each digit and
/// <c>negativesPerPair</c> pairs for each of the 45 unordered digit pairs (8,000 + 9,000 = 17,000 by default),
/// drawn uniformly without repeating an unordered image pair, the sides of negatives random, the whole set
/// shuffled. Different seeds give different sets. Generalised to K classes (<see cref="CreateScaled"/>).
/// </summary>
public static class BalancedPairSet
{
    /// <summary>MNIST's protocol: every digit must give <paramref name="positivesPerDigit"/> positives and every digit pair <paramref name="negativesPerPair"/> negatives.</summary>
    public static PairSet Create(ImageSet set, Rng rng, int positivesPerDigit = 800, int negativesPerPair = 200)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rng);
        var byDigit = set.IndicesByClass();
        if (positivesPerDigit > 0)
            for (int d = 0; d < byDigit.Length; d++)
                if (byDigit[d].Length < 2)
                    throw new ArgumentException($"digit {d} has {byDigit[d].Length} images, 0 distinct pairs: too few for {positivesPerDigit} positive pairs");
        if (negativesPerPair > 0)
            for (int d = 0; d < byDigit.Length; d++)
                if (byDigit[d].Length == 0)
                    throw new ArgumentException($"digit {d} has no images: too few for {negativesPerPair} negative pairs");
        return Create(byDigit, rng, positivesPerDigit, negativesPerPair);
    }

    /// <summary>
    /// The protocol over K classes with listed class pairs: <paramref name="positivesPerClass"/> positives for each class
    /// with at least two images, <paramref name="negativesPerPair"/> negatives for each unordered pair of classes with at
    /// least one image (a class of one image serves in negatives only). For MNIST's ten digits this is exactly the digit
    /// protocol, draw for draw.
    /// </summary>
    public static PairSet Create(int[][] byClass, Rng rng, int positivesPerClass, int negativesPerPair)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(rng);
        if (positivesPerClass < 0)
            throw new ArgumentOutOfRangeException(nameof(positivesPerClass), positivesPerClass, "expected 0 or more positive pairs per class");
        if (negativesPerPair < 0)
            throw new ArgumentOutOfRangeException(nameof(negativesPerPair), negativesPerPair, "expected 0 or more negative pairs per class pair");
        var positiveClasses = ClassPairs.WithAtLeast(byClass, 2);
        var classPairs = ClassPairs.All(ClassPairs.WithAtLeast(byClass, 1));
        var builder = new Builder(positiveClasses.Length * positivesPerClass + classPairs.Length * negativesPerPair);
        AddPositives(byClass, positiveClasses, positivesPerClass, rng, builder);
        foreach (var (a, b) in classPairs)
        {
            long available = (long)byClass[a].Length * byClass[b].Length;
            if (available < negativesPerPair)
                throw new ArgumentException($"classes {a} and {b} have {available} distinct pairs: too few for {negativesPerPair} negative pairs");
            foreach (var (x, y) in DistinctPairs(byClass[a], byClass[b], negativesPerPair, rng))
            {
                bool swap = rng.NextInt(2) == 1;
                builder.Add(swap ? y : x, swap ? x : y, PairSampler.Different);
            }
        }
        return builder.Shuffled(rng);
    }

    /// <summary>
    /// The protocol for many classes, where listing every class pair would be too many: positives as in
    /// <see cref="Create(int[][], Rng, int, int)"/>, and <paramref name="negatives"/> negatives whose two classes are
    /// consecutive draws of a shuffled round-robin over the classes with images (<see cref="ClassPairs"/>), so every class
    /// is a member of 2·negatives/K of them, ±1. Images are uniform within the class; an unordered image pair is not
    /// repeated unless two classes' every combination is used up (possible only for tiny classes).
    /// </summary>
    public static PairSet CreateForManyClasses(int[][] byClass, Rng rng, int positivesPerClass, int negatives)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(positivesPerClass);
        ArgumentOutOfRangeException.ThrowIfNegative(negatives);
        var positiveClasses = ClassPairs.WithAtLeast(byClass, 2);
        var negativeClasses = ClassPairs.WithAtLeast(byClass, 1);
        if (negatives > 0 && negativeClasses.Length < 2)
            throw new ArgumentException("negative pairs need at least two classes with images");
        var builder = new Builder(positiveClasses.Length * positivesPerClass + negatives);
        AddPositives(byClass, positiveClasses, positivesPerClass, rng, builder);
        var stream = new ShuffledCycle(negativeClasses.Length);
        var used = new HashSet<long>(negatives);
        for (int k = 0; k < negatives; k++)
        {
            int first = stream.Next(rng);
            int a = negativeClasses[first], b = negativeClasses[stream.NextOtherThan(rng, first)];
            int x = 0, y = 0;
            for (int attempt = 0; attempt < 100; attempt++)
            {
                x = byClass[a][rng.NextInt(byClass[a].Length)];
                y = byClass[b][rng.NextInt(byClass[b].Length)];
                if (used.Add(((long)Math.Min(x, y) << 32) | (uint)Math.Max(x, y)))
                    break;
            }
            builder.Add(x, y, PairSampler.Different);
        }
        return builder.Shuffled(rng);
    }

    /// <summary>
    /// The protocol with sizes that scale with the data. Positives per class: min(800·10/P rounded up, C(m,2)) with P the
    /// classes of two or more images and m the smallest of them, so every class gives the same number (MNIST: 800). With
    /// at most <see cref="ClassPairs.MaxCycledPairs"/> class pairs, negatives per pair: min(200·45/C(K,2) rounded up, the
    /// smallest a·b over class pairs) (MNIST: 200); with more classes, 9,000 negatives spread by the class stream.
    /// <paramref name="description"/> says which sizes were used and why.
    /// </summary>
    public static PairSet CreateScaled(int[][] byClass, Rng rng, out string description)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        var positiveClasses = ClassPairs.WithAtLeast(byClass, 2);
        var negativeClasses = ClassPairs.WithAtLeast(byClass, 1);
        int positivesPerClass = 0;
        string positiveNote = "no class has two images: no positive pairs";
        if (positiveClasses.Length > 0)
        {
            long smallest = positiveClasses.Min(c => byClass[c].Length);
            long target = (8000 + positiveClasses.Length - 1) / positiveClasses.Length;
            positivesPerClass = (int)Math.Min(target, smallest * (smallest - 1) / 2);
            positiveNote = $"{positivesPerClass} positive pairs for each of {positiveClasses.Length} classes"
                + (positivesPerClass < target ? $" (the smallest class has {smallest} images, {smallest * (smallest - 1) / 2} distinct pairs)" : "");
        }
        int singletons = negativeClasses.Length - positiveClasses.Length;
        string singletonNote = singletons > 0 ? $"; {singletons} classes of one image serve in negatives only" : "";
        if (ClassPairs.Cycled(negativeClasses.Length))
        {
            int pairs = negativeClasses.Length * (negativeClasses.Length - 1) / 2;
            long smallestProduct = long.MaxValue;
            var sizes = negativeClasses.Select(c => (long)byClass[c].Length).OrderBy(n => n).ToArray();
            if (sizes.Length >= 2)
                smallestProduct = sizes[0] * sizes[1];
            long target = pairs == 0 ? 0 : (9000 + pairs - 1) / pairs;
            int perPair = (int)Math.Min(target, smallestProduct);
            description = $"{positiveNote}; {perPair} negative pairs for each of {pairs} class pairs{singletonNote}";
            return Create(byClass, rng, positivesPerClass, perPair);
        }
        description = $"{positiveNote}; 9000 negative pairs, each class a member of {2 * 9000 / negativeClasses.Length}±1 of them{singletonNote}";
        return CreateForManyClasses(byClass, rng, positivesPerClass, 9000);
    }

    /// <summary>
    /// A per-epoch monitor set of about <paramref name="monitorPairs"/> pairs, half positive and half negative: per class
    /// ⌊⌊monitorPairs/2⌋/P⌋ positives and, with listed class pairs, ⌊⌊monitorPairs/2⌋/C(K,2)⌋ negatives per pair (at least
    /// one each; MNIST's 4,000 give the 200 and 44 of the digit protocol, draw for draw), each lowered to what the
    /// smallest class or class pair holds; with many classes ⌊monitorPairs/2⌋ negatives spread by the class stream.
    /// </summary>
    public static PairSet CreateForMonitor(int[][] byClass, Rng rng, int monitorPairs)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(rng);
        int half = Math.Max(1, monitorPairs / 2);
        var positiveClasses = ClassPairs.WithAtLeast(byClass, 2);
        var negativeClasses = ClassPairs.WithAtLeast(byClass, 1);
        int positives = 0;
        if (positiveClasses.Length > 0)
        {
            long smallest = positiveClasses.Min(c => byClass[c].Length);
            positives = (int)Math.Min(Math.Max(1, half / positiveClasses.Length), smallest * (smallest - 1) / 2);
        }
        if (!ClassPairs.Cycled(negativeClasses.Length))
            return CreateForManyClasses(byClass, rng, positives, half);
        int pairs = negativeClasses.Length * (negativeClasses.Length - 1) / 2;
        long smallestProduct = 0;
        if (negativeClasses.Length >= 2)
        {
            var sizes = negativeClasses.Select(c => (long)byClass[c].Length).OrderBy(n => n).ToArray();
            smallestProduct = sizes[0] * sizes[1];
        }
        int negatives = pairs == 0 ? 0 : (int)Math.Min(Math.Max(1, half / pairs), smallestProduct);
        return Create(byClass, rng, positives, negatives);
    }

    static void AddPositives(int[][] byClass, int[] positiveClasses, int positivesPerClass, Rng rng, Builder builder)
    {
        foreach (int d in positiveClasses)
        {
            long m = byClass[d].Length;
            long available = m * (m - 1) / 2;
            if (available < positivesPerClass)
                throw new ArgumentException($"class {d} has {m} images, {available} distinct pairs: too few for {positivesPerClass} positive pairs");
            foreach (var (x, y) in DistinctPairs(byClass[d], byClass[d], positivesPerClass, rng))
                builder.Add(x, y, PairSampler.Same);
        }
    }

    sealed class Builder(int capacity)
    {
        readonly List<int> _left = new(capacity), _right = new(capacity), _labels = new(capacity);

        public void Add(int left, int right, int label)
        {
            _left.Add(left);
            _right.Add(right);
            _labels.Add(label);
        }

        /// <summary>One permutation applied to the three arrays keeps each pair together.</summary>
        public PairSet Shuffled(Rng rng)
        {
            var order = new int[_left.Count];
            for (int i = 0; i < order.Length; i++)
                order[i] = i;
            rng.Shuffle(order.AsSpan());
            return new PairSet(order.Select(i => _left[i]).ToArray(), order.Select(i => _right[i]).ToArray(), order.Select(i => _labels[i]).ToArray());
        }
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
