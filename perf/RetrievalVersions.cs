using System.Diagnostics;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Perf;

/// <summary>
/// Numbered versions of the retrieval metrics (each test image queries all the others), timed side by side on
/// seeded clustered embeddings and checked to give the current one's figures exactly. v1 is the first: every
/// distance through <see cref="EmbeddingDistance.Between(ReadOnlySpan{float}, int, int, int, double)"/> (one
/// dependent chain of dim additions per pair) and the quickselect and sort through a class comparer. v2 is
/// <see cref="Retrieval.Evaluate(ReadOnlySpan{float}, int, ReadOnlySpan{int}, double)"/>: the same sums in the same
/// order, Vector&lt;double&gt;.Count images at once, and a struct comparer. Runs once per profile (not per backend).
/// </summary>
public sealed class RetrievalVersions : IProfileSection
{
    public void Run(IBackend backend, ProfilerOptions options, Report report)
    {
        if (backend is not SimdBackend) return;
        report.Heading("Retrieval metrics (every image queries all others), numbered versions");
        var rows = new List<string[]>();
        foreach (var (n, dim, classes) in options.Quick ? new[] { (3_000, 32, 3) } : new[] { (3_000, 32, 3), (20_979, 32, 3), (10_000, 10, 10) })
        {
            var (embeddings, labels) = Clustered(n, dim, classes, seed: n + dim);
            var clock = Stopwatch.StartNew();
            var v1 = V1(embeddings, dim, labels, 1e-7);
            double s1 = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var v2 = Retrieval.Evaluate(embeddings, dim, labels, 1e-7);
            double s2 = clock.Elapsed.TotalSeconds;
            rows.Add([$"{n:N0} images x {dim}, {classes} classes", $"{s1:F2}", $"{s2:F2}", $"{s1 / s2:F1}x", v1 == v2 ? "same" : $"DIFFERENT: {v1} vs {v2}"]);
        }
        report.Table(["set", "v1 s", "v2 s (src)", "v1/v2", "figures"], rows);
        report.Line("Wall clock on all cores (Parallel.For in both); 20,979 x 32 in 3 classes is Fashion-MNIST's three held-out classes.");
    }

    static (float[] Embeddings, int[] Labels) Clustered(int n, int dim, int classes, int seed)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, n).Select(i => i % classes).ToArray();
        var centres = Enumerable.Range(0, classes * dim).Select(_ => (float)random.NextDouble() * 2).ToArray();
        var e = new float[n * dim];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < dim; k++)
                e[i * dim + k] = centres[labels[i] * dim + k] + (float)(random.NextDouble() - 0.5) * 3;
        return (e, labels);
    }

    /// <summary>v1, as first written (src/Model/Retrieval.cs before the vectorised distances).</summary>
    public static RetrievalMetrics V1(float[] emb, int dim, int[] lab, double eps)
    {
        int n = lab.Length;
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

    sealed class KeyOrder : IComparer<(double, int)>
    {
        public static readonly KeyOrder Instance = new();
        public int Compare((double, int) a, (double, int) b) => a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : a.Item2.CompareTo(b.Item2);
    }

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
