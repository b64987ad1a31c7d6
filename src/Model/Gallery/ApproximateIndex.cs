using Cloud.Unum.USearch;

namespace GpuSiamese.Model.Gallery;

/// <summary>
/// USearch's HNSW graph over a gallery's embeddings (squared L2, which orders as the distance E does), keyed by row
/// number: it proposes candidates, the store re-ranks them exactly. Saved beside the gallery with the stamp of the
/// contents it was built from, so a missing or stale index is rebuilt (<see cref="FolderGalleryStore"/>).
/// </summary>
public sealed class ApproximateIndex : IDisposable
{
    /// <summary>Graph degree and the breadth of the searches that add and that query: recall over speed, measured in perf/ (gallery-index).</summary>
    public const ulong Connectivity = 16, ExpansionAdd = 128, ExpansionSearch = 128;

    readonly USearchIndex _index;

    ApproximateIndex(USearchIndex index, int dimensions)
    {
        _index = index;
        Dimensions = dimensions;
    }

    public int Dimensions { get; }

    /// <summary>Vectors in the graph.</summary>
    public long Count => (long)_index.Size();

    /// <summary>An empty index of <paramref name="dimensions"/>-wide vectors.</summary>
    public static ApproximateIndex Create(int dimensions) =>
        new(new USearchIndex(MetricKind.L2sq, ScalarKind.Float32, (ulong)dimensions, Connectivity, ExpansionAdd, ExpansionSearch, false), dimensions);

    /// <summary>Loads a saved index whole (so it can grow); null when the file cannot be read as one of <paramref name="dimensions"/>.</summary>
    public static ApproximateIndex? TryLoad(string path, int dimensions)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var index = new USearchIndex(path, false);
            if ((int)index.Dimensions() == dimensions) return new ApproximateIndex(index, dimensions);
            index.Dispose();
        }
        catch (USearchException) { }
        return null;
    }

    public void Add(ulong key, float[] vector) => _index.Add(key, vector);

    public void Remove(ulong key) => _index.Remove(key);

    /// <summary>
    /// Up to <paramref name="count"/> keys, nearest first (approximately). The library keeps one search context per
    /// hardware thread ("reserve capacity ahead of searches" past that), so at most that many searches run at once.
    /// </summary>
    public ulong[] Search(float[] probe, int count)
    {
        _searches.Wait();
        try
        {
            int found = _index.Search(probe, count, out ulong[] keys, out float[] _);
            return found == keys.Length ? keys : keys[..found];
        }
        finally { _searches.Release(); }
    }

    readonly SemaphoreSlim _searches = new(Environment.ProcessorCount, Environment.ProcessorCount);

    public void Save(string path) => _index.Save(path);

    /// <summary>The library's SIMD target on this CPU (e.g. "skylake"), for reports.</summary>
    public string Acceleration => _index.HardwareAcceleration();

    public void Dispose() => _index.Dispose();
}
