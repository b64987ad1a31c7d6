using GpuSiamese.Kernels;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Tests.Model;

/// <summary>
/// An <see cref="IBackend"/> made of the double-precision reference methods: each call widens its float
/// operands to double, runs the reference and rounds the outputs back. Slow and exact enough to test the
/// trainer and evaluator without a fast backend.
/// </summary>
public sealed class ReferenceBackend : IBackend
{
    sealed class HostBuffer<T>(T[] array, int offset, int length) : DeviceBuffer<T>(array, offset) where T : unmanaged
    {
        public T[] Array { get; } = array;
        public int Offset { get; } = offset;
        public override int Length { get; } = length;
        public Span<T> Span => Array.AsSpan(Offset, Length);

        public override DeviceBuffer<T> Slice(int offset, int length)
        {
            if (offset < 0 || length < 0 || offset + length > Length)
                throw new ArgumentOutOfRangeException(nameof(offset), $"slice {offset}+{length} of a {Length}-element buffer");
            return new HostBuffer<T>(Array, Offset + offset, length);
        }

        public override void Dispose()
        {
        }
    }

    public string Name => "reference (double precision)";

    public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged => new HostBuffer<T>(new T[length], 0, length);

    public void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged
    {
        BackendContract.Upload(dst, src.Length);
        src.CopyTo(Host(dst).Span);
    }

    public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged
    {
        BackendContract.Download(src, dst.Length);
        Host(src).Span[..dst.Length].CopyTo(dst);
    }

    public void Synchronize()
    {
    }

    public void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRows(table, indices, dst, rows, width);
        var y = new double[rows * width];
        Ref.Gather.Rows(D(table), Host(indices).Span.ToArray(), y, rows, width);
        Put(dst, y);
    }

    public void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width)
    {
        BackendContract.GatherRowsFromBytes(table, indices, dst, rows, width);
        var y = new double[rows * width];
        Ref.Gather.RowsFromBytes(Host(table).Span.ToArray(), Host(indices).Span.ToArray(), y, rows, width);
        Put(dst, y);
    }

    public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act)
    {
        BackendContract.DenseForward(x, w, b, y, rows, inW, outW);
        var yd = new double[rows * outW];
        Ref.Dense.Forward(D(x, rows * inW), D(w, inW * outW), D(b, outW), yd, rows, inW, outW, act);
        Put(y, yd);
    }

    public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act)
    {
        BackendContract.ActivationBackward(y, dy, n);
        var d = D(dy, n);
        Ref.Dense.ActivationBackward(D(y, n), d, n, act);
        Put(dy, d);
    }

    public void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act)
    {
        BackendContract.Conv2dForward(x, w, b, y, g);
        var yd = new double[g.Images * g.OutSize];
        Ref.Conv2d.Forward(D(x, g.Images * g.InSize), D(w, g.WeightCount), D(b, g.OutChannels), yd, g, act);
        Put(y, yd);
    }

    public void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardData(dy, w, dx, g);
        var d = new double[g.Images * g.InSize];
        Ref.Conv2d.BackwardData(D(dy, g.Images * g.OutSize), D(w, g.WeightCount), d, g);
        Put(dx, d);
    }

    public void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g)
    {
        BackendContract.Conv2dBackwardWeights(x, dy, dw, db, g);
        var wd = new double[g.WeightCount];
        var bd = new double[g.OutChannels];
        Ref.Conv2d.BackwardWeights(D(x, g.Images * g.InSize), D(dy, g.Images * g.OutSize), wd, bd, g);
        Put(dw, wd);
        Put(db, bd);
    }

    public void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolForward(x, y, winner, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels;
        var yd = new double[outN];
        var at = new int[outN];
        Ref.MaxPool.Forward(D(x, images * height * width * channels), yd, at, images, height, width, channels);
        Put(y, yd);
        at.CopyTo(Host(winner).Span);
    }

    public void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx,
        int images, int height, int width, int channels)
    {
        BackendContract.MaxPoolBackward(dy, winner, dx, images, height, width, channels);
        int outN = images * (height / 2) * (width / 2) * channels;
        var d = new double[images * height * width * channels];
        Ref.MaxPool.Backward(D(dy, outN), Host(winner).Span[..outN].ToArray(), d, images, height, width, channels);
        Put(dx, d);
    }

    public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardData(dy, w, dx, rows, inW, outW);
        var d = new double[rows * inW];
        Ref.Dense.BackwardData(D(dy, rows * outW), D(w, inW * outW), d, rows, inW, outW);
        Put(dx, d);
    }

    public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW)
    {
        BackendContract.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
        var w = new double[inW * outW];
        var b = new double[outW];
        Ref.Dense.BackwardWeights(D(x, rows * inW), D(dy, rows * outW), w, b, rows, inW, outW);
        Put(dw, w);
        Put(db, b);
    }

    public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceForward(emb, dist, pairs, dim);
        var d = new double[pairs];
        Ref.PairDistance.Forward(D(emb, 2 * pairs * dim), d, pairs, dim, eps);
        Put(dist, d);
    }

    public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps)
    {
        BackendContract.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim);
        var d = new double[2 * pairs * dim];
        Ref.PairDistance.Backward(D(emb, 2 * pairs * dim), D(dist, pairs), D(dDist, pairs), d, pairs, dim, eps);
        Put(dEmb, d);
    }

    public void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count)
    {
        BackendContract.PairLoss(kind, dist, labels, loss, dDist, count);
        var e = D(dist, count);
        var y = Host(labels).Span[..count].ToArray();
        var l = new double[count];
        var g = new double[count];
        if (kind == LossKind.ContrastiveBounded)
        {
            Ref.ContrastiveLoss.BoundedForward(e, y, l, count, parameter);
            Ref.ContrastiveLoss.BoundedBackward(e, y, g, count, parameter);
        }
        else
        {
            Ref.ContrastiveLoss.MarginForward(e, y, l, count, parameter);
            Ref.ContrastiveLoss.MarginBackward(e, y, g, count, parameter);
        }
        Put(loss, l);
        Put(dDist, g);
    }

    public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps)
    {
        BackendContract.TripletLoss(emb, loss, dEmb, triplets, dim);
        var e = D(emb, 3 * triplets * dim);
        var l = new double[triplets];
        var g = new double[3 * triplets * dim];
        Ref.TripletLoss.Forward(e, l, triplets, dim, margin, eps);
        Ref.TripletLoss.Backward(e, g, triplets, dim, margin, eps);
        Put(loss, l);
        Put(dEmb, g);
    }

    public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step)
    {
        BackendContract.Dropout(x, n, p);
        var d = D(x, n);
        Ref.Dropout.Forward(d, n, p, key, step);
        Put(x, d);
    }

    public void WeightDecay(DeviceBuffer<float> p, int n, float rate)
    {
        BackendContract.WeightDecay(p, n);
        var d = D(p, n);
        Ref.WeightDecay.Apply(d, n, rate);
        Put(p, d);
    }

    public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        BackendContract.AdamStep(p, g, m, v, n, t);
        double[] pd = D(p, n), md = D(m, n), vd = D(v, n);
        Ref.Optimizers.Adam(pd, D(g, n), md, vd, n, lr, beta1, beta2, eps, t, gradScale);
        Put(p, pd); Put(m, md); Put(v, vd);
    }

    public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale)
    {
        BackendContract.RmsPropStep(p, g, s, n);
        double[] pd = D(p, n), sd = D(s, n);
        Ref.Optimizers.RmsProp(pd, D(g, n), sd, n, lr, rho, eps, gradScale);
        Put(p, pd); Put(s, sd);
    }

    public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        BackendContract.SgdStep(p, g, u, n);
        double[] pd = D(p, n), ud = D(u, n);
        Ref.Optimizers.Sgd(pd, D(g, n), ud, n, lr, momentum, nesterov, gradScale);
        Put(p, pd); Put(u, ud);
    }

    public float Sum(DeviceBuffer<float> x, int n)
    {
        BackendContract.Reduction(x, n);
        return (float)Ref.Reductions.Sum(D(x, n), n);
    }

    public float SumOfSquares(DeviceBuffer<float> x, int n)
    {
        BackendContract.Reduction(x, n);
        return (float)Ref.Reductions.SumOfSquares(D(x, n), n);
    }

    public void Dispose()
    {
    }

    static HostBuffer<T> Host<T>(DeviceBuffer<T> b) where T : unmanaged =>
        b as HostBuffer<T> ?? throw new ArgumentException("buffer belongs to another backend");

    static double[] D(DeviceBuffer<float> b) => D(b, b.Length);

    static double[] D(DeviceBuffer<float> b, int n)
    {
        var s = Host(b).Span;
        if (n > s.Length) throw new ArgumentException($"operation needs {n} elements, buffer holds {s.Length}");
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = s[i];
        return d;
    }

    static void Put(DeviceBuffer<float> b, double[] values)
    {
        var s = Host(b).Span;
        if (values.Length > s.Length) throw new ArgumentException($"operation writes {values.Length} elements, buffer holds {s.Length}");
        for (int i = 0; i < values.Length; i++) s[i] = (float)values[i];
    }
}
