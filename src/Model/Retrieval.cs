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
        var emb = embeddings.ToArray();
        var lab = labels.ToArray();
        var classSize = new Dictionary<int, int>();
        foreach (int l in lab)
            classSize[l] = classSize.GetValueOrDefault(l) + 1;
        var p1 = new double[n];
        var rp = new double[n];
        var map = new double[n];
        var counted = new bool[n];
        Parallel.For(0, n, () => new (double, int)[n], (q, _, keys) =>
        {
            int r = classSize[lab[q]] - 1;
            if (r == 0)
                return keys;
            int m = 0;
            for (int j = 0; j < n; j++)
                if (j != q)
                    keys[m++] = (EmbeddingDistance.Between(emb, dim, q, j, eps), j);
            SelectSmallest(keys.AsSpan(0, m), r);
            Array.Sort(keys, 0, r, KeyOrder.Instance);
            int same = 0;
            double precisionSum = 0;
            for (int i = 0; i < r; i++)
                if (lab[keys[i].Item2] == lab[q])
                {
                    same++;
                    precisionSum += (double)same / (i + 1);
                }
            p1[q] = lab[keys[0].Item2] == lab[q] ? 1 : 0;
            rp[q] = (double)same / r;
            map[q] = precisionSum / r;
            counted[q] = true;
            return keys;
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

    sealed class KeyOrder : IComparer<(double, int)>
    {
        public static readonly KeyOrder Instance = new();
        public int Compare((double, int) a, (double, int) b) => a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : a.Item2.CompareTo(b.Item2);
    }

    /// <summary>Moves the <paramref name="k"/> smallest keys (distance, then index) to the front, in no particular order (Hoare's quickselect).</summary>
    static void SelectSmallest(Span<(double, int)> keys, int k)
    {
        int lo = 0, hi = keys.Length - 1;
        var order = KeyOrder.Instance;
        while (lo < hi)
        {
            var pivot = keys[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (order.Compare(keys[i], pivot) < 0) i++;
                while (order.Compare(keys[j], pivot) > 0) j--;
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
