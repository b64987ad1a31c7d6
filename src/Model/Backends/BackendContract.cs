using GpuSiamese.Kernels;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// The rules every <see cref="IBackend"/> applies before it computes, written once: each backend's operation starts by
/// calling the check of the same name, and tests/Model/Backends/BackendConformanceTests.cs holds every backend to them.
/// <list type="bullet">
/// <item>Transfers: <see cref="IBackend.Upload{T}"/> and <see cref="IBackend.Download{T}"/> move exactly the span's
/// length between the span and the buffer's first elements; a span longer than the buffer is refused
/// (<see cref="ArgumentException"/>), a shorter one leaves the rest of the buffer (or nothing of the span) untouched.</item>
/// <item>Sizes: a negative count or dimension is refused (<see cref="ArgumentOutOfRangeException"/>); a buffer shorter than
/// the shape needs is refused (<see cref="ArgumentException"/> naming it). Longer buffers are fine: only the prefix is used.</item>
/// <item>Aliasing: an operation's outputs share no element with its inputs or with each other
/// (<see cref="ArgumentException"/>), except where the operation works in place (the activation's dY, dropout, weight
/// decay, an optimizer's parameters and state).</item>
/// <item>Arguments: Adam's step t starts at 1; dropout's p is in [0, 1); a pair loss is not the triplet loss. What a
/// buffer holds is not checked here (it may still be on the device): a gather index outside the table is the
/// backend's to refuse where it can.</item>
/// <item>Overwriting: outputs are overwritten, never accumulated into, so whatever they held before (garbage included)
/// does not change the result; gradients of weights and biases are overwritten too (one backward per step).</item>
/// </list>
/// </summary>
public static class BackendContract
{
    public static void Upload<T>(DeviceBuffer<T> dst, int count) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(dst);
        if (count > dst.Length) throw new ArgumentException($"upload of {count} elements into a buffer of {dst.Length}", nameof(dst));
    }

    public static void Download<T>(DeviceBuffer<T> src, int count) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(src);
        if (count > src.Length) throw new ArgumentException($"download of {count} elements from a buffer of {src.Length}", nameof(src));
    }

    public static void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        Sizes((rows, nameof(rows)), (width, nameof(width)));
        Holds(indices, rows, nameof(indices));
        Holds(dst, (long)rows * width, nameof(dst));
        Holds(table, 0, nameof(table));
        Apart(dst, (long)rows * width, nameof(dst), (table, table.Length, nameof(table)));
    }

    /// <summary>
    /// <see cref="IBackend.GatherRowsFromBytes"/>: as <see cref="GatherRows"/>; the table holds bytes and dst floats, so they
    /// cannot share storage.
    /// </summary>
    public static void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        Sizes((rows, nameof(rows)), (width, nameof(width)));
        Holds(indices, rows, nameof(indices));
        Holds(dst, (long)rows * width, nameof(dst));
        Holds(table, 0, nameof(table));
    }

    public static void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW)
    {
        Sizes((rows, nameof(rows)), (inW, nameof(inW)), (outW, nameof(outW)));
        Holds(x, (long)rows * inW, nameof(x)); Holds(w, (long)inW * outW, nameof(w)); Holds(b, outW, nameof(b));
        Holds(y, (long)rows * outW, nameof(y));
        Apart(y, (long)rows * outW, nameof(y), (x, (long)rows * inW, nameof(x)), (w, (long)inW * outW, nameof(w)), (b, outW, nameof(b)));
    }

    public static void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n)
    {
        Sizes((n, nameof(n)));
        Holds(y, n, nameof(y)); Holds(dy, n, nameof(dy));
        Apart(dy, n, nameof(dy), (y, n, nameof(y)));
    }

    public static void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        Sizes((rows, nameof(rows)), (inW, nameof(inW)), (outW, nameof(outW)));
        Holds(dy, (long)rows * outW, nameof(dy)); Holds(w, (long)inW * outW, nameof(w)); Holds(dx, (long)rows * inW, nameof(dx));
        Apart(dx, (long)rows * inW, nameof(dx), (dy, (long)rows * outW, nameof(dy)), (w, (long)inW * outW, nameof(w)));
    }

    public static void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        Sizes((rows, nameof(rows)), (inW, nameof(inW)), (outW, nameof(outW)));
        Holds(x, (long)rows * inW, nameof(x)); Holds(dy, (long)rows * outW, nameof(dy));
        Holds(dw, (long)inW * outW, nameof(dw)); Holds(db, outW, nameof(db));
        Apart(dw, (long)inW * outW, nameof(dw), (x, (long)rows * inW, nameof(x)), (dy, (long)rows * outW, nameof(dy)), (db, outW, nameof(db)));
        Apart(db, outW, nameof(db), (x, (long)rows * inW, nameof(x)), (dy, (long)rows * outW, nameof(dy)));
    }

    public static void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y, Conv2dGeometry g)
    {
        Holds(x, (long)g.Images * g.InSize, nameof(x)); Holds(w, g.WeightCount, nameof(w)); Holds(b, g.OutChannels, nameof(b));
        Holds(y, (long)g.Images * g.OutSize, nameof(y));
        Apart(y, (long)g.Images * g.OutSize, nameof(y), (x, (long)g.Images * g.InSize, nameof(x)), (w, g.WeightCount, nameof(w)), (b, g.OutChannels, nameof(b)));
    }

    public static void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        Holds(dy, (long)g.Images * g.OutSize, nameof(dy)); Holds(w, g.WeightCount, nameof(w)); Holds(dx, (long)g.Images * g.InSize, nameof(dx));
        Apart(dx, (long)g.Images * g.InSize, nameof(dx), (dy, (long)g.Images * g.OutSize, nameof(dy)), (w, g.WeightCount, nameof(w)));
    }

    public static void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db, Conv2dGeometry g)
    {
        Holds(x, (long)g.Images * g.InSize, nameof(x)); Holds(dy, (long)g.Images * g.OutSize, nameof(dy));
        Holds(dw, g.WeightCount, nameof(dw)); Holds(db, g.OutChannels, nameof(db));
        Apart(dw, g.WeightCount, nameof(dw), (x, (long)g.Images * g.InSize, nameof(x)), (dy, (long)g.Images * g.OutSize, nameof(dy)), (db, g.OutChannels, nameof(db)));
        Apart(db, g.OutChannels, nameof(db), (x, (long)g.Images * g.InSize, nameof(x)), (dy, (long)g.Images * g.OutSize, nameof(dy)));
    }

    public static void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, int images, int height, int width, int channels)
    {
        Sizes((images, nameof(images)), (height, nameof(height)), (width, nameof(width)), (channels, nameof(channels)));
        long outN = (long)images * (height / 2) * (width / 2) * channels;
        Holds(x, (long)images * height * width * channels, nameof(x)); Holds(y, outN, nameof(y)); Holds(winner, outN, nameof(winner));
        Apart(y, outN, nameof(y), (x, (long)images * height * width * channels, nameof(x)));
    }

    public static void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, int images, int height, int width, int channels)
    {
        Sizes((images, nameof(images)), (height, nameof(height)), (width, nameof(width)), (channels, nameof(channels)));
        long outN = (long)images * (height / 2) * (width / 2) * channels;
        Holds(dy, outN, nameof(dy)); Holds(winner, outN, nameof(winner)); Holds(dx, (long)images * height * width * channels, nameof(dx));
        Apart(dx, (long)images * height * width * channels, nameof(dx), (dy, outN, nameof(dy)));
    }

    public static void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim)
    {
        Sizes((pairs, nameof(pairs)), (dim, nameof(dim)));
        Holds(emb, 2L * pairs * dim, nameof(emb)); Holds(dist, pairs, nameof(dist));
        Apart(dist, pairs, nameof(dist), (emb, 2L * pairs * dim, nameof(emb)));
    }

    public static void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim)
    {
        Sizes((pairs, nameof(pairs)), (dim, nameof(dim)));
        Holds(emb, 2L * pairs * dim, nameof(emb)); Holds(dist, pairs, nameof(dist)); Holds(dDist, pairs, nameof(dDist));
        Holds(dEmb, 2L * pairs * dim, nameof(dEmb));
        Apart(dEmb, 2L * pairs * dim, nameof(dEmb), (emb, 2L * pairs * dim, nameof(emb)), (dist, pairs, nameof(dist)), (dDist, pairs, nameof(dDist)));
    }

    public static void PairLoss(LossKind kind, DeviceBuffer<float> dist, DeviceBuffer<int> labels, DeviceBuffer<float> loss,
        DeviceBuffer<float> dDist, int count)
    {
        if (kind is not (LossKind.ContrastiveBounded or LossKind.ContrastiveMargin))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a pair loss (the triplet loss is TripletLoss)");
        Sizes((count, nameof(count)));
        Holds(dist, count, nameof(dist)); Holds(labels, count, nameof(labels)); Holds(loss, count, nameof(loss)); Holds(dDist, count, nameof(dDist));
        Apart(loss, count, nameof(loss), (dist, count, nameof(dist)), (dDist, count, nameof(dDist)));
        Apart(dDist, count, nameof(dDist), (dist, count, nameof(dist)));
    }

    public static void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim)
    {
        Sizes((triplets, nameof(triplets)), (dim, nameof(dim)));
        Holds(emb, 3L * triplets * dim, nameof(emb)); Holds(loss, triplets, nameof(loss)); Holds(dEmb, 3L * triplets * dim, nameof(dEmb));
        Apart(loss, triplets, nameof(loss), (emb, 3L * triplets * dim, nameof(emb)), (dEmb, 3L * triplets * dim, nameof(dEmb)));
        Apart(dEmb, 3L * triplets * dim, nameof(dEmb), (emb, 3L * triplets * dim, nameof(emb)));
    }

    public static void Dropout(DeviceBuffer<float> x, int n, float p)
    {
        Sizes((n, nameof(n)));
        Holds(x, n, nameof(x));
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "the drop probability must be in [0, 1)");
    }

    public static void WeightDecay(DeviceBuffer<float> p, int n)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p));
    }

    public static void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n, int t)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p)); Holds(g, n, nameof(g)); Holds(m, n, nameof(m)); Holds(v, n, nameof(v));
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Adam's step count starts at 1");
        Apart(p, n, nameof(p), (g, n, nameof(g)), (m, n, nameof(m)), (v, n, nameof(v)));
        Apart(m, n, nameof(m), (g, n, nameof(g)), (v, n, nameof(v)));
        Apart(v, n, nameof(v), (g, n, nameof(g)));
    }

    public static void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p)); Holds(g, n, nameof(g)); Holds(s, n, nameof(s));
        Apart(p, n, nameof(p), (g, n, nameof(g)), (s, n, nameof(s)));
        Apart(s, n, nameof(s), (g, n, nameof(g)));
    }

    public static void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n)
    {
        Sizes((n, nameof(n)));
        Holds(p, n, nameof(p)); Holds(g, n, nameof(g)); Holds(u, n, nameof(u));
        Apart(p, n, nameof(p), (g, n, nameof(g)), (u, n, nameof(u)));
        Apart(u, n, nameof(u), (g, n, nameof(g)));
    }

    /// <summary><see cref="IBackend.Sum"/> and <see cref="IBackend.SumOfSquares"/>.</summary>
    public static void Reduction(DeviceBuffer<float> x, int n)
    {
        Sizes((n, nameof(n)));
        Holds(x, n, nameof(x));
    }

    static void Sizes(params ReadOnlySpan<(int Value, string Name)> sizes)
    {
        foreach (var (value, name) in sizes)
            if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative");
    }

    static void Holds<T>(DeviceBuffer<T> buffer, long count, string name) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        if (buffer.Length < count)
            throw new ArgumentException($"{name} holds {buffer.Length} elements, the operation needs {count}", name);
    }

    /// <summary>The first <paramref name="count"/> elements of <paramref name="output"/> share none with the used part of each other buffer.</summary>
    static void Apart<T>(DeviceBuffer<T> output, long count, string outputName,
        params ReadOnlySpan<(DeviceBuffer<T> Buffer, long Count, string Name)> others) where T : unmanaged
    {
        foreach (var (other, otherCount, name) in others)
            if (ReferenceEquals(output.Storage, other.Storage) && count > 0 && otherCount > 0
                && output.StorageOffset < other.StorageOffset + otherCount && other.StorageOffset < output.StorageOffset + count)
                throw new ArgumentException($"{outputName} overlaps {name}: the operation's outputs must not share storage with its inputs", outputName);
    }
}
