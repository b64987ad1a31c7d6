using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// Forward-only scoring with a <see cref="Network"/>: pair distances over an image table and embeddings,
/// in chunks of at most <see cref="ChunkPairs"/> pairs (2·ChunkPairs rows) so memory stays bounded.
/// Over an image table each distinct image is embedded once (<see cref="EmbedEachImageOnce"/>).
/// </summary>
public sealed class Evaluator : IDisposable
{
    readonly Network _network;
    readonly IBackend _backend;
    readonly float _eps;
    readonly DeviceBuffer<int> _indices;
    readonly DeviceBuffer<float> _input;
    readonly DeviceBuffer<float>[] _outputs;
    readonly DeviceBuffer<float> _dist;
    readonly int[] _hostIndices;

    public Evaluator(Network network, double distanceEpsilon = 1e-7, int chunkPairs = 4096)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkPairs, 1);
        _network = network;
        _backend = network.Backend;
        _eps = (float)distanceEpsilon;
        DistanceEpsilon = distanceEpsilon;
        // Every layer's output is kept for a chunk: a convolutional network's (about 11,700 floats a row for the
        // comparison network, against 210 for 196-200-10) would take hundreds of MB at 8,192 rows.
        long floatsPerRow = network.Config.Layers.Sum(l => (long)l.Output.Size);
        chunkPairs = (int)Math.Clamp(MaxActivationFloats / (2 * Math.Max(1, floatsPerRow)), 1, chunkPairs);
        ChunkPairs = chunkPairs;
        int rows = 2 * chunkPairs;
        _indices = _backend.Allocate<int>(rows);
        InputWidth = network.Config.Input.Size;
        _input = _backend.Allocate<float>(rows * InputWidth);
        _outputs = network.AllocateLayerOutputs(rows);
        _dist = _backend.Allocate<float>(chunkPairs);
        _hostIndices = new int[rows];
    }

    /// <summary>Most floats of layer outputs one chunk keeps (64 MiB): the chunk shrinks below the asked size for wide networks.</summary>
    public const long MaxActivationFloats = 1L << 24;

    /// <summary>Pairs per chunk: as asked, or fewer where <see cref="MaxActivationFloats"/> requires.</summary>
    public int ChunkPairs { get; }

    /// <summary>eps of E = sqrt(max(Σ(a−b)², eps)).</summary>
    public double DistanceEpsilon { get; }

    public Network Network => _network;

    /// <summary>Values per input image (the network's input: 196 for MNIST's 14x14).</summary>
    public int InputWidth { get; }

    /// <summary>E of every pair of <paramref name="pairs"/>, whose indices point into <paramref name="table"/>.</summary>
    public float[] Distances(ImageTable table, PairSet pairs)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(pairs);
        return Distances(table, pairs.Count, pairs.Left, pairs.Right);
    }

    /// <summary>Uploads <paramref name="set"/> as a table for this call, then as <see cref="Distances(ImageTable, PairSet)"/>.</summary>
    public float[] Distances(ImageSet set, PairSet pairs)
    {
        ArgumentNullException.ThrowIfNull(set);
        CheckWidth(set.ImageSize, $"the images ({set.Shape})");
        using var table = ImageTable.Of(_backend, set);
        return Distances(table, pairs);
    }

    /// <summary>
    /// E of explicit pairs (pair p's images at p·392 and p·392+196): uploaded as a 2N-row table, image 2p
    /// the left one and 2p+1 the right one.
    /// </summary>
    public float[] Distances(PairArrays pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        CheckWidth(ImageSet.Size, "the pair file's 14x14 images");
        return PairDistances(pairs.Pixels.AsSpan(0, pairs.Count * PairArrays.PairSize), pairs.Count);
    }

    /// <summary>E of <paramref name="count"/> explicit pairs of input images, each <see cref="InputWidth"/> wide: pair p's left image is image 2p, its right image 2p+1.</summary>
    public float[] PairDistances(ReadOnlySpan<float> pixels, int count)
    {
        if (count == 0) return [];
        if (pixels.Length != (long)count * 2 * InputWidth)
            throw new ArgumentException($"{count} pairs of {InputWidth}-value images need {(long)count * 2 * InputWidth} values, got {pixels.Length}", nameof(pixels));
        using var table = new ImageTable(_backend, pixels, InputWidth);
        var left = new int[count];
        var right = new int[count];
        for (int p = 0; p < count; p++)
        {
            left[p] = 2 * p;
            right[p] = 2 * p + 1;
        }
        return Distances(table, count, left, right);
    }

    void CheckWidth(int width, string what)
    {
        if (width != InputWidth)
            throw new ArgumentException($"{what} have {width} values each; this model reads {_network.Config.Input} ({InputWidth} values)");
    }

    float[] Distances(ImageTable table, int count, int[] left, int[] right)
    {
        if (table.Width != InputWidth)
            throw new ArgumentException($"the image table's rows have {table.Width} values; this model reads {InputWidth}");
        if (left.Length < count || right.Length < count)
            throw new ArgumentException($"pair set says {count} pairs but holds {left.Length} left and {right.Length} right indices");
        for (int p = 0; p < count; p++)
        {
            int a = left[p], b = right[p];
            if ((uint)a >= (uint)table.Count || (uint)b >= (uint)table.Count)
                throw new ArgumentException($"pair {p} refers to image {Math.Max(a, b)}, outside a table of {table.Count} images");
        }
        var result = new float[count];
        if (count == 0) return result;
        if (EmbedEachImageOnce && DistinctImages(table.Count, count, left, right) is { } distinct)
            DistancesFromEmbeddings(table, count, left, right, distinct, result);
        else
            DistancesPerPair(table, count, left, right, result);
        return result;
    }

    /// <summary>
    /// True (the default): each distinct image the pairs refer to goes through the network once, then the
    /// pairs' distances come from those embeddings (the balanced test set's 34,000 pair sides are 10,000
    /// images: 3.4x less arithmetic). False: both images of every pair go through the network, as a
    /// training batch does. Both give the same distances (each row's embedding does not depend on the others).
    /// </summary>
    public bool EmbedEachImageOnce { get; set; } = true;

    /// <summary>The distinct images in order of first use, or null when no image repeats (nothing to save).</summary>
    static int[]? DistinctImages(int tableCount, int count, int[] left, int[] right)
    {
        var seen = new bool[tableCount];
        var distinct = new List<int>(Math.Min(tableCount, 2 * count));
        foreach (var side in new[] { left, right })
            for (int p = 0; p < count; p++)
                if (!seen[side[p]])
                {
                    seen[side[p]] = true;
                    distinct.Add(side[p]);
                }
        return distinct.Count < 2 * count ? distinct.ToArray() : null;
    }

    void DistancesFromEmbeddings(ImageTable table, int count, int[] left, int[] right, int[] distinct, float[] result)
    {
        int dim = _network.Config.OutputWidth, chunkRows = 2 * ChunkPairs;
        var row = new int[table.Count];
        for (int k = 0; k < distinct.Length; k++) row[distinct[k]] = k;
        using var embeddings = _backend.Allocate<float>(distinct.Length * dim);
        var outputs = (DeviceBuffer<float>[])_outputs.Clone();
        for (int start = 0; start < distinct.Length; start += chunkRows)
        {
            int n = Math.Min(chunkRows, distinct.Length - start);
            _backend.Upload(_indices.Slice(0, n), distinct.AsSpan(start, n));
            table.Gather(_indices, _input, n);
            // The last layer writes straight into the embedding table.
            outputs[^1] = embeddings.Slice(start * dim, n * dim);
            _network.Forward(_input, outputs, n);
        }
        for (int start = 0; start < count; start += ChunkPairs)
        {
            int n = Math.Min(ChunkPairs, count - start);
            for (int p = 0; p < n; p++)
            {
                _hostIndices[p] = row[left[start + p]];
                _hostIndices[n + p] = row[right[start + p]];
            }
            _backend.Upload(_indices.Slice(0, 2 * n), _hostIndices.AsSpan(0, 2 * n));
            _backend.GatherRows(embeddings, _indices, _outputs[^1], 2 * n, dim);
            _backend.PairDistanceForward(_outputs[^1], _dist, n, dim, _eps);
            _backend.Download(_dist.Slice(0, n), result.AsSpan(start, n));
        }
    }

    void DistancesPerPair(ImageTable table, int count, int[] left, int[] right, float[] result)
    {
        int dim = _network.Config.OutputWidth;
        for (int start = 0; start < count; start += ChunkPairs)
        {
            int n = Math.Min(ChunkPairs, count - start);
            for (int p = 0; p < n; p++)
            {
                _hostIndices[p] = left[start + p];
                _hostIndices[n + p] = right[start + p];
            }
            _backend.Upload(_indices.Slice(0, 2 * n), _hostIndices.AsSpan(0, 2 * n));
            table.Gather(_indices, _input, 2 * n);
            _network.Forward(_input, _outputs, 2 * n);
            _backend.PairDistanceForward(_outputs[^1], _dist, n, dim, _eps);
            _backend.Download(_dist.Slice(0, n), result.AsSpan(start, n));
        }
    }

    /// <summary>The embeddings G(x) of <paramref name="count"/> images, row-major [count, OutputWidth].</summary>
    public float[] Embed(ReadOnlySpan<float> pixels, int count)
    {
        if (pixels.Length < (long)count * InputWidth)
            throw new ArgumentException($"{count} images need {(long)count * InputWidth} pixels, got {pixels.Length}", nameof(pixels));
        int dim = _network.Config.OutputWidth;
        var result = new float[count * dim];
        int chunkRows = 2 * ChunkPairs;
        for (int start = 0; start < count; start += chunkRows)
        {
            int n = Math.Min(chunkRows, count - start);
            _backend.Upload(_input.Slice(0, n * InputWidth), pixels.Slice(start * InputWidth, n * InputWidth));
            _network.Forward(_input, _outputs, n);
            _backend.Download(_outputs[^1].Slice(0, n * dim), result.AsSpan(start * dim, n * dim));
        }
        return result;
    }

    /// <summary>The embeddings of every image of <paramref name="set"/> (a set held as bytes is gathered from an 8-bit table).</summary>
    public float[] Embed(ImageSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        CheckWidth(set.ImageSize, $"the images ({set.Shape})");
        if (set.Bytes is null) return Embed(set.Pixels, set.Count);
        using var table = ImageTable.Of(_backend, set);
        return Embed(table);
    }

    /// <summary>The embeddings of every image of <paramref name="table"/>, row-major [Count, OutputWidth].</summary>
    public float[] Embed(ImageTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Width != InputWidth)
            throw new ArgumentException($"the image table's rows have {table.Width} values; this model reads {InputWidth}");
        int dim = _network.Config.OutputWidth, chunkRows = 2 * ChunkPairs;
        var result = new float[(long)table.Count * dim];
        var order = new int[chunkRows];
        for (int start = 0; start < table.Count; start += chunkRows)
        {
            int n = Math.Min(chunkRows, table.Count - start);
            for (int i = 0; i < n; i++) order[i] = start + i;
            _backend.Upload(_indices.Slice(0, n), order.AsSpan(0, n));
            table.Gather(_indices, _input, n);
            _network.Forward(_input, _outputs, n);
            _backend.Download(_outputs[^1].Slice(0, n * dim), result.AsSpan(start * dim, n * dim));
        }
        return result;
    }

    public void Dispose()
    {
        _indices.Dispose();
        _input.Dispose();
        foreach (var o in _outputs) o.Dispose();
        _dist.Dispose();
    }
}
