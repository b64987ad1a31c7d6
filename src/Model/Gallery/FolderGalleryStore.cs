using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GpuSiamese.Data;

namespace GpuSiamese.Model.Gallery;

/// <summary>
/// A gallery in a folder on one machine: <c>gallery.json</c> (the <see cref="GalleryModel"/> it belongs to, written once
/// at creation) and <c>identities/&lt;sha256 of the name&gt;.id</c>, one file per identity holding its name and every
/// embedding with its source and time, ending in the SHA-256 of what precedes it. A write (enrol, remove) takes the
/// folder's lock file (<c>.lock</c>, held across processes), reads that identity's file afresh, writes the new file to a
/// temporary beside it, flushes it to disk and renames it over the old one: a process killed at any instant leaves the
/// identity as it was before or after, never half of it; a removal is one unlink. Temporaries of dead writers are swept
/// at open (<see cref="TemporaryFiles.RemoveStale"/>). The stored embeddings are the truth: a gallery of fewer than
/// <see cref="IndexThreshold"/> embeddings is searched by an exact scan; a larger one through USearch's HNSW graph
/// (<see cref="ApproximateIndex"/>, <c>index.usearch</c> with <c>index.stamp</c>, the SHA-256 of every identity file's own
/// hash in name order) whose candidates' identities are re-ranked exactly over all their embeddings. An index whose stamp
/// is not the folder's (missing, or written before another enrolment) is rebuilt from the embeddings at the first search.
/// </summary>
public sealed class FolderGalleryStore : IGalleryStore
{
    public const string ManifestName = "gallery.json";
    public const string IdentitiesFolder = "identities";
    const string LockName = ".lock";
    const int MaxNameLength = 200;
    static readonly byte[] Magic = "GSGALID1"u8.ToArray();
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    readonly string _folder;
    readonly string _identities;
    // Searches share it, writes to the in-memory tables (and the index's first build) hold it alone.
    readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    int _total;
    readonly Dictionary<string, List<EnrolledEmbedding>> _byName = new(StringComparer.Ordinal);
    readonly Dictionary<string, byte[]> _fileHash = new(StringComparer.Ordinal);
    ApproximateIndex? _index;
    readonly List<string?> _rowName = [];
    readonly Dictionary<string, List<ulong>> _rowsOf = new(StringComparer.Ordinal);
    const string IndexName = "index.usearch", StampName = "index.stamp";

    /// <summary>Embeddings from which on the search goes through the approximate index.</summary>
    public int IndexThreshold { get; set; } = 20_000;

    /// <summary>Candidates the index proposes per search (at least 8 per identity asked for), each one's identity re-ranked exactly.</summary>
    public int Candidates { get; set; } = 64;

    /// <summary>The widest candidate list a search asks the index for.</summary>
    const int MaxCandidates = 1 << 16;

    /// <summary>Whether the last search went through the approximate index (else an exact scan).</summary>
    public bool Indexed
    {
        get
        {
            _gate.EnterReadLock();
            try { return _index is not null; }
            finally { _gate.ExitReadLock(); }
        }
    }

    /// <summary>What the index did at its first use: "loaded", "built" (missing or stale), or null before.</summary>
    public string? IndexOrigin { get; private set; }

    FolderGalleryStore(string folder, GalleryModel model)
    {
        _folder = folder;
        _identities = Path.Combine(folder, IdentitiesFolder);
        Model = model;
    }

    public GalleryModel Model { get; }

    /// <summary>The folder the gallery lives in.</summary>
    public string Folder => _folder;

    /// <summary>Makes an empty gallery in <paramref name="folder"/> (which must not hold one) for <paramref name="model"/>.</summary>
    public static FolderGalleryStore Create(string folder, GalleryModel model)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(model);
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new ArgumentException($"gallery '{folder}' is a file; expected a folder");
        if (File.Exists(Path.Combine(full, ManifestName)))
            throw new ArgumentException($"gallery '{folder}' already exists (it has a {ManifestName}); add to it, or choose another folder");
        Directory.CreateDirectory(Path.Combine(full, IdentitiesFolder));
        WriteDurably(Path.Combine(full, ManifestName), JsonSerializer.SerializeToUtf8Bytes(model, Json));
        return new FolderGalleryStore(full, model);
    }

    /// <summary>
    /// Opens the gallery in <paramref name="folder"/> and loads every identity; with <paramref name="checkpointSha256"/>,
    /// a gallery of another model is refused in one line.
    /// </summary>
    public static FolderGalleryStore Open(string folder, string? checkpointSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string full = Path.GetFullPath(folder);
        string manifest = Path.Combine(full, ManifestName);
        if (!File.Exists(manifest))
            throw new ArgumentException($"gallery '{folder}' does not exist (no {ManifestName}); make it with 'gallery create'");
        GalleryModel model;
        try
        {
            model = JsonSerializer.Deserialize<GalleryModel>(File.ReadAllBytes(manifest), Json)
                ?? throw new InvalidDataException($"gallery '{folder}': {ManifestName} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"gallery '{folder}': {ManifestName} is not valid ({e.Message})");
        }
        if (checkpointSha256 is not null && !string.Equals(model.CheckpointSha256, checkpointSha256, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"gallery '{folder}' belongs to another model (checkpoint SHA-256 {Short(model.CheckpointSha256)}, " +
                $"this one is {Short(checkpointSha256)}): its embeddings cannot be compared; use its own model or create a new gallery");
        var store = new FolderGalleryStore(full, model);
        Directory.CreateDirectory(store._identities);
        TemporaryFiles.RemoveStale(store._identities);
        foreach (string file in Directory.EnumerateFiles(store._identities, "*.id"))
        {
            var (name, entries) = ReadIdentity(file, model.EmbeddingWidth);
            store._byName[name] = entries;
            store._fileHash[name] = FileHash(file);
            store._total += entries.Count;
        }
        return store;
    }

    /// <summary>The SHA-256 of a checkpoint file, lowercase hex: what ties a gallery to its model.</summary>
    public static string HashOf(string checkpointPath)
    {
        using var stream = File.OpenRead(checkpointPath);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Rejects an empty, over-long or control-character name, in one line.</summary>
    public static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("an identity needs a name that is not empty");
        if (name.Length > MaxNameLength) throw new ArgumentException($"an identity's name is at most {MaxNameLength} characters, got {name.Length}");
        if (name.Any(char.IsControl)) throw new ArgumentException("an identity's name cannot hold control characters");
        if (name != name.Trim()) throw new ArgumentException($"an identity's name cannot start or end with spaces: '{name}'");
    }

    public IReadOnlyList<IdentitySummary> List()
    {
        _gate.EnterReadLock();
        try { return [.. _byName.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Summary(p.Key, p.Value))]; }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>Embeddings in the gallery, all identities together.</summary>
    public int Count
    {
        get
        {
            _gate.EnterReadLock();
            try { return _total; }
            finally { _gate.ExitReadLock(); }
        }
    }

    public IdentitySummary Add(string name, IReadOnlyList<EnrolledEmbedding> embeddings)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count == 0) throw new ArgumentException($"nothing to enrol for '{name}': no images");
        foreach (var e in embeddings)
        {
            if (e.Embedding.Length != Model.EmbeddingWidth)
                throw new ArgumentException($"an embedding of {e.Embedding.Length} values, the gallery's model gives {Model.EmbeddingWidth}");
            if (e.Embedding.Any(v => !float.IsFinite(v))) throw new ArgumentException($"an embedding for '{name}' is not finite");
        }
        using var folderLock = LockFolder();
        string path = PathOf(name);
        // Another process may have enrolled this identity since we loaded: the file on disk is the truth.
        var entries = File.Exists(path) ? ReadIdentity(path, Model.EmbeddingWidth).Entries : [];
        entries.AddRange(embeddings);
        var bytes = WriteIdentity(name, entries);
        WriteDurably(path, bytes);
        _gate.EnterWriteLock();
        try
        {
            int known = _byName.TryGetValue(name, out var old) ? old.Count : 0;
            _total += entries.Count - known;
            _byName[name] = entries;
            _fileHash[name] = bytes[^32..];
            // A live index grows with the new rows (the saved one is now stale and rebuilt at the next open).
            if (_index is not null)
                for (int i = known; i < entries.Count; i++) AddRow(name, entries[i].Embedding);
            return Summary(name, entries);
        }
        finally { _gate.ExitWriteLock(); }
    }

    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var folderLock = LockFolder();
        string path = PathOf(name);
        bool existed = File.Exists(path);
        if (existed) File.Delete(path);
        _gate.EnterWriteLock();
        try
        {
            _fileHash.Remove(name);
            if (_index is not null && _rowsOf.Remove(name, out var rows))
                foreach (ulong row in rows)
                {
                    _index.Remove(row);
                    _rowName[(int)row] = null;
                }
            if (_byName.Remove(name, out var gone)) _total -= gone.Count;
            return gone is not null || existed;
        }
        finally { _gate.ExitWriteLock(); }
    }

    public IReadOnlyList<IdentityHit> Identify(ReadOnlySpan<float> embedding, int count)
    {
        CheckProbe(embedding);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var best = new List<(string Name, double Distance)>();
        if (Count >= IndexThreshold && !Indexed)
        {
            _gate.EnterWriteLock();
            try { EnsureIndex(); }
            finally { _gate.ExitWriteLock(); }
        }
        _gate.EnterReadLock();
        try
        {
            var index = _total >= IndexThreshold ? _index : null;
            if (index is null)
                foreach (var (name, entries) in _byName)
                    best.Add((name, Nearest(embedding, entries)));
            else
            {
                // Candidates from the graph, widened until they span enough identities (an identity of many embeddings
                // fills a short list alone); each candidate identity's distance is exact, over all its embeddings.
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var probe = embedding.ToArray();
                int wanted = Math.Min(_byName.Count, Math.Max(2 * count, 2));
                long rows = index.Count;
                // Enough rows for 'wanted' identities of the average size in one search, most of the time.
                int perIdentity = (int)Math.Ceiling((double)_total / Math.Max(1, _byName.Count));
                for (int k = (int)Math.Min(MaxCandidates, Math.Max(Math.Max(Candidates, 8 * count), (long)wanted * perIdentity)); ; k *= 4)
                {
                    seen.Clear();
                    foreach (ulong row in index.Search(probe, k))
                        if (_rowName[(int)row] is { } name) seen.Add(name);
                    if (seen.Count >= wanted || k >= rows || k >= MaxCandidates) break;
                }
                foreach (string name in seen) best.Add((name, Nearest(embedding, _byName[name])));
            }
        }
        finally { _gate.ExitReadLock(); }
        // Nearest first; names break ties so the order does not depend on the dictionary's.
        best.Sort((a, b) => Verdict.Before(a.Distance, b.Distance) ? -1 : Verdict.Before(b.Distance, a.Distance) ? 1 : string.CompareOrdinal(a.Name, b.Name));
        return [.. best.Take(count).Select(b => new IdentityHit(b.Name, b.Distance, Verdict.Same(b.Distance, Threshold)))];
    }

    public IdentityHit? Verify(ReadOnlySpan<float> embedding, string name)
    {
        CheckProbe(embedding);
        _gate.EnterReadLock();
        try
        {
            if (!_byName.TryGetValue(name, out var entries)) return null;
            double d = Nearest(embedding, entries);
            return new IdentityHit(name, d, Verdict.Same(d, Threshold));
        }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>
    /// The approximate index, loaded when its stamp is the folder's, else built from the embeddings and saved
    /// (temporary and rename, then the stamp): called holding the gate alone.
    /// </summary>
    ApproximateIndex EnsureIndex()
    {
        if (_index is not null) return _index;
        string stamp = Stamp();
        string indexPath = Path.Combine(_folder, IndexName), stampPath = Path.Combine(_folder, StampName);
        var names = _byName.Keys.Order(StringComparer.Ordinal).ToArray();
        bool fresh = File.Exists(stampPath) && File.ReadAllText(stampPath).Trim() == stamp;
        var index = fresh ? ApproximateIndex.TryLoad(indexPath, Model.EmbeddingWidth) : null;
        IndexOrigin = index is null ? "built" : "loaded";
        bool build = index is null;
        index ??= ApproximateIndex.Create(Model.EmbeddingWidth);
        _index = index;
        _rowName.Clear();
        _rowsOf.Clear();
        // Rows in name order, then each identity's order: what the stamp pins, so a loaded index has the same keys.
        foreach (string name in names)
            foreach (var e in _byName[name])
                if (build) AddRow(name, e.Embedding);
                else Track(name);
        if (build)
        {
            try
            {
                string temp = TemporaryFiles.For(indexPath);
                index.Save(temp);
                File.Move(temp, indexPath, overwrite: true);
                WriteDurably(stampPath, System.Text.Encoding.ASCII.GetBytes(stamp + "\n"));
            }
            catch (Exception e) when (WriteFailedException.IsEnvironmental(e))
            {
                // A read-only gallery still searches with the index in memory; the next open builds it again.
            }
        }
        return index;
    }

    void AddRow(string name, float[] embedding)
    {
        _index!.Add((ulong)_rowName.Count, embedding);
        Track(name);
    }

    void Track(string name)
    {
        ulong row = (ulong)_rowName.Count;
        _rowName.Add(name);
        if (!_rowsOf.TryGetValue(name, out var rows)) _rowsOf[name] = rows = [];
        rows.Add(row);
    }

    /// <summary>The contents' fingerprint: SHA-256 over each identity's name and file hash, in name order.</summary>
    string Stamp()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string name in _fileHash.Keys.Order(StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name));
            sha.AppendData(_fileHash[name]);
        }
        return $"{Convert.ToHexStringLower(sha.GetHashAndReset())} {_byName.Values.Sum(v => v.Count)}";
    }

    static byte[] FileHash(string path)
    {
        using var stream = File.OpenRead(path);
        stream.Seek(-32, SeekOrigin.End);
        var hash = new byte[32];
        stream.ReadExactly(hash);
        return hash;
    }

    /// <summary>The stored threshold, +∞ (every nearest identity a match) for a model saved before any was chosen.</summary>
    public double Threshold => double.IsNaN(Model.Threshold) ? double.PositiveInfinity : Model.Threshold;

    public void Dispose()
    {
        _gate.EnterWriteLock();
        try
        {
            _index?.Dispose();
            _index = null;
        }
        finally { _gate.ExitWriteLock(); }
    }

    double Nearest(ReadOnlySpan<float> probe, List<EnrolledEmbedding> entries)
    {
        double best = Verdict.Worst;
        foreach (var e in entries)
        {
            double d = EmbeddingDistance.Between(probe, e.Embedding, Model.DistanceEpsilon);
            if (Verdict.Before(d, best)) best = d;
        }
        return best;
    }

    void CheckProbe(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Model.EmbeddingWidth)
            throw new ArgumentException($"a probe embedding of {embedding.Length} values, the gallery's model gives {Model.EmbeddingWidth}");
    }

    static IdentitySummary Summary(string name, List<EnrolledEmbedding> entries) =>
        new(name, entries.Count, entries.Min(e => e.AddedUtc), entries.Max(e => e.AddedUtc));

    string PathOf(string name) =>
        Path.Combine(_identities, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))) + ".id");

    static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;

    /// <summary>The folder's write lock, held by one process (and one thread) at a time; the OS lets go when its holder dies.</summary>
    FileStream LockFolder()
    {
        string path = Path.Combine(_folder, LockName);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromSeconds(60) && Directory.Exists(_folder))
            {
                Thread.Sleep(2);
            }
        }
    }

    static byte[] WriteIdentity(string name, List<EnrolledEmbedding> entries)
    {
        using var memory = new MemoryStream();
        using (var w = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(name);
            w.Write(entries.Count);
            w.Write(entries[0].Embedding.Length);
            foreach (var e in entries)
            {
                w.Write(e.AddedUtc.ToUniversalTime().Ticks);
                w.Write(e.Source);
                foreach (float v in e.Embedding) w.Write(v);
            }
        }
        var body = memory.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    static (string Name, List<EnrolledEmbedding> Entries) ReadIdentity(string path, int width)
    {
        var bytes = File.ReadAllBytes(path);
        InvalidDataException Bad(string what) => new($"gallery identity file '{path}': {what}");
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Bad("not a gallery identity (bad magic or too short)");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw Bad("its SHA-256 does not match its contents (corrupt)");
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, Magic.Length, body.Length - Magic.Length), Encoding.UTF8);
            string name = r.ReadString();
            int count = r.ReadInt32(), dim = r.ReadInt32();
            if (dim != width) throw Bad($"embeddings of {dim} values, the gallery's model gives {width}");
            if (count < 1) throw Bad($"{count} embeddings");
            var entries = new List<EnrolledEmbedding>(count);
            for (int i = 0; i < count; i++)
            {
                var added = new DateTime(r.ReadInt64(), DateTimeKind.Utc);
                string source = r.ReadString();
                var embedding = new float[dim];
                for (int k = 0; k < dim; k++) embedding[k] = r.ReadSingle();
                entries.Add(new EnrolledEmbedding(embedding, source, added));
            }
            return (name, entries);
        }
        catch (EndOfStreamException) { throw Bad("it ends before all its embeddings were read"); }
        catch (ArgumentOutOfRangeException) { throw Bad("a time stamp is out of range"); }
    }

    /// <summary>Temporary beside the target, flushed to disk, renamed over it: the target is the old file or the new one.</summary>
    static void WriteDurably(string path, byte[] bytes)
    {
        string temp = TemporaryFiles.For(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (WriteFailedException.IsEnvironmental(e)) throw WriteFailedException.From(path, e);
            throw;
        }
    }
}
