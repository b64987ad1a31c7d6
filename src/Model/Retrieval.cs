namespace GpuSiamese.Model;

/// <summary>
/// Retrieval metrics over a set of embeddings (each image queries all the others), as "A Metric Learning Reality Check"
/// (Musgrave, Belongie, Lim 2020) and pytorch-metric-learning's AccuracyCalculator define them. <see cref="Queries"/>
/// counts the images whose class has at least one other image (the rest have nothing to retrieve and are left out).
/// </summary>
public sealed record RetrievalMetrics(int Queries, double PrecisionAt1, double RPrecision, double MapAtR);

/// <summary>
/// For a query q with R other images of its class, the others ranked by the model's distance E (ascending, ties by index):
/// precision@1 = [the nearest is of q's class]; R-precision = r/R with r the same-class images among the nearest R;
/// MAP@R = (1/R)·Σ_{i=1..R} P(i)·[the i-th nearest is of q's class], P(i) = same-class images among the nearest i, over i.
/// Each metric is the mean over queries. Only the nearest R are ranked (a selection, then a sort of those R).
/// </summary>
public static class Retrieval
{
    public static RetrievalMetrics Evaluate(ReadOnlySpan<float> embeddings, int dim, ReadOnlySpan<int> labels, double eps)
    {
        if (dim < 1)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, "expected a positive embedding width");
        int n = labels.Length;
        if (embeddings.Length != (long)n * dim)
            throw new ArgumentException($"{n} labels need {n}·{dim} embedding values, got {embeddings.Length}", nameof(embeddings));
        var lab = labels.ToArray();
        var transposed = Transpose(embeddings, n, dim);
        var classSize = new Dictionary<int, int>();
        foreach (int l in lab)
            classSize[l] = classSize.GetValueOrDefault(l) + 1;
        var p1 = new double[n];
        var rp = new double[n];
        var map = new double[n];
        var counted = new bool[n];
        Parallel.For(0, n, () => (Keys: new Key[n], Distances: new double[n]), (q, _, scratch) =>
        {
            int r = classSize[lab[q]] - 1;
            if (r == 0)
                return scratch;
            var keys = scratch.Keys;
            DistancesFrom(transposed, n, dim, q, eps, scratch.Distances);
            int m = 0;
            for (int j = 0; j < n; j++)
                if (j != q)
                    keys[m++] = new Key(scratch.Distances[j], j);
            SelectSmallest(keys.AsSpan(0, m), r);
            keys.AsSpan(0, r).Sort(new KeyOrder());
            int same = 0;
            double precisionSum = 0;
            for (int i = 0; i < r; i++)
                if (lab[keys[i].Index] == lab[q])
                {
                    same++;
                    precisionSum += (double)same / (i + 1);
                }
            p1[q] = lab[keys[0].Index] == lab[q] ? 1 : 0;
            rp[q] = (double)same / r;
            map[q] = precisionSum / r;
            counted[q] = true;
            return scratch;
        }, _ => { });
        int queries = counted.Count(c => c);
        if (queries == 0)
            return new RetrievalMetrics(0, double.NaN, double.NaN, double.NaN);
        double Mean(double[] v) => Enumerable.Range(0, n).Where(i => counted[i]).Sum(i => v[i]) / queries;
        return new RetrievalMetrics(queries, Mean(p1), Mean(rp), Mean(map));
    }

    /// <summary>The embeddings and labels of the images at <paramref name="indices"/>, then <see cref="Evaluate(ReadOnlySpan{float}, int, ReadOnlySpan{int}, double)"/>.</summary>
    public static RetrievalMetrics Evaluate(ReadOnlySpan<float> embeddings, int dim, ReadOnlySpan<int> labels, double eps, ReadOnlySpan<int> indices)
    {
        var e = new float[indices.Length * dim];
        var l = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            embeddings.Slice(indices[k] * dim, dim).CopyTo(e.AsSpan(k * dim));
            l[k] = labels[indices[k]];
        }
        return Evaluate(e, dim, l, eps);
    }

    /// <summary>The embeddings [n, dim] as doubles stored dimension by dimension ([dim, n]), the layout <see cref="DistancesFrom"/> reads.</summary>
    public static double[] Transpose(ReadOnlySpan<float> embeddings, int n, int dim)
    {
        var t = new double[(long)dim * n];
        for (int j = 0; j < n; j++)
            for (int k = 0; k < dim; k++)
                t[(long)k * n + j] = embeddings[j * dim + k];
        return t;
    }

    /// <summary>
    /// distances[j] = E(q, j) for every j, bit for bit what <see cref="EmbeddingDistance.Between(ReadOnlySpan{float}, int, int, int, double)"/>
    /// gives: each sum runs over k in order with a separate multiply and add, but Vector&lt;double&gt;.Count images at
    /// once, a block of them at a time so that the partial sums stay in the first-level cache.
    /// </summary>
    public static void DistancesFrom(double[] transposed, int n, int dim, int q, double eps, Span<double> distances)
    {
        const int Block = 512;
        int lanes = System.Numerics.Vector<double>.Count;
        Span<double> sums = stackalloc double[Block];
        for (int j0 = 0; j0 < n; j0 += Block)
        {
            int width = Math.Min(Block, n - j0), vectors = width - width % lanes;
            sums[..width].Clear();
            for (int k = 0; k < dim; k++)
            {
                var row = transposed.AsSpan(k * n + j0, width);
                double a = transposed[(long)k * n + q];
                var av = new System.Numerics.Vector<double>(a);
                int j = 0;
                for (; j < vectors; j += lanes)
                {
                    var d = new System.Numerics.Vector<double>(row[j..]) - av;
                    var sum = new System.Numerics.Vector<double>(sums[j..]) + d * d;
                    sum.CopyTo(sums[j..]);
                }
                for (; j < width; j++)
                {
                    double d = row[j] - a;
                    sums[j] += d * d;
                }
            }
            for (int j = 0; j < width; j++)
                distances[j0 + j] = Math.Sqrt(Math.Max(sums[j], eps));
        }
    }

    /// <summary>A ranked image: its distance from the query, then its index (the tie-break).</summary>
    readonly record struct Key(double Distance, int Index);

    readonly struct KeyOrder : IComparer<Key>
    {
        public int Compare(Key a, Key b) => Order(a, b);
    }

    static int Order(Key a, Key b)
    {
        int c = a.Distance.CompareTo(b.Distance);
        return c != 0 ? c : a.Index.CompareTo(b.Index);
    }

    static bool Less(Key a, Key b) => Order(a, b) < 0;

    /// <summary>Moves the <paramref name="k"/> smallest keys (distance, then index) to the front, in no particular order (Hoare's quickselect).</summary>
    static void SelectSmallest(Span<Key> keys, int k)
    {
        int lo = 0, hi = keys.Length - 1;
        while (lo < hi)
        {
            var pivot = keys[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (Less(keys[i], pivot)) i++;
                while (Less(pivot, keys[j])) j--;
                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    i++;
                    j--;
                }
            }
            if (k - 1 <= j) hi = j;
            else if (k - 1 >= i) lo = i;
            else return;
        }
    }
}
