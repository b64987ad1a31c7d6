using GpuSiamese.Kernels;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// The operations a training step is made of. Every backend computes exactly what the methods of
/// <c>GpuSiamese.Kernels.Reference</c> compute (same layouts, same overwrite rules), in float32, and applies the rules of
/// <see cref="BackendContract"/> (each operation starts with its check there): transfer lengths, refused arguments,
/// outputs that must not overlap inputs, outputs overwritten whatever they held.
/// Calls may be queued; <see cref="Download{T}"/> and <see cref="Synchronize"/> wait for them.
/// Matrices are row-major: X [rows, inW], W [inW, outW], Y [rows, outW]; the embeddings of a batch
/// of B pairs are 2B rows, left images first.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>What a person reads: e.g. "simd (AVX-512, 2 threads)" or "ILGPU CPU accelerator".</summary>
    string Name { get; }

    /// <summary>A zero-filled buffer.</summary>
    DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged;

    /// <summary>Copies src into dst's first src.Length elements; refused when dst is shorter.</summary>
    void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged;

    /// <summary>Copies src's first dst.Length elements into dst, waiting for queued work; refused when src is shorter.</summary>
    void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged;

    /// <summary>Waits until every queued operation has finished.</summary>
    void Synchronize();

    /// <summary>Reference: <see cref="Kernels.Reference.Gather.Rows"/>.</summary>
    void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width);

    /// <summary>Reference: <see cref="Kernels.Reference.Gather.RowsFromBytes"/> (an 8-bit table, each value / 255 as it is gathered).</summary>
    void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width);

    /// <summary>Reference: <see cref="Kernels.Reference.Dense.Forward"/>.</summary>
    void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        int rows, int inW, int outW, Activation act);

    /// <summary>Reference: <see cref="Kernels.Reference.Dense.ActivationBackward"/> (in place on dy).</summary>
    void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, Activation act);

    /// <summary>Reference: <see cref="Kernels.Reference.Dense.BackwardData"/>.</summary>
    void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW);

    /// <summary>Reference: <see cref="Kernels.Reference.Dense.BackwardWeights"/>.</summary>
    void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        int rows, int inW, int outW);

    /// <summary>
    /// Reference: <see cref="Kernels.Reference.Conv2d.Forward"/>. Channels last (<see cref="Conv2dGeometry"/>):
    /// x [images, h, w, inC], w [k, k, inC, outC], b [outC], y [images, oh, ow, outC]; ReLU's derivative is then
    /// <see cref="ActivationBackward"/> on y, as for a dense layer.
    /// </summary>
    void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
        Conv2dGeometry g, Activation act);

    /// <summary>Reference: <see cref="Kernels.Reference.Conv2d.BackwardData"/> (dx overwritten).</summary>
    void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, Conv2dGeometry g);

    /// <summary>Reference: <see cref="Kernels.Reference.Conv2d.BackwardWeights"/> (dw and db overwritten).</summary>
    void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
        Conv2dGeometry g);

    /// <summary>
    /// Reference: <see cref="Kernels.Reference.MaxPool.Forward"/>: 2×2 stride 2 over x [images, height, width, channels]
    /// into y [images, height/2, width/2, channels], the winner of each window (0..3) into winner, same shape as y.
    /// </summary>
    void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner,
        int images, int height, int width, int channels);

    /// <summary>Reference: <see cref="Kernels.Reference.MaxPool.Backward"/> (dx overwritten, zero where no window won).</summary>
    void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx,
        int images, int height, int width, int channels);

    /// <summary>Reference: <see cref="Kernels.Reference.PairDistance.Forward"/>.</summary>
    void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps);

    /// <summary>Reference: <see cref="Kernels.Reference.PairDistance.Backward"/>.</summary>
    void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
        DeviceBuffer<float> dEmb, int pairs, int dim, float eps);

    /// <summary>
    /// Forward and backward of a pair loss in one call: loss[p] as the reference's *Forward,
    /// dDist[p] as its *Backward (already divided by <paramref name="count"/>). <paramref name="kind"/> is
    /// <see cref="LossKind.ContrastiveBounded"/> or <see cref="LossKind.ContrastiveMargin"/>; the triplet loss is
    /// <see cref="TripletLoss"/>.
    /// </summary>
    void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
        DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count);

    /// <summary>
    /// Triplet loss forward and backward in one call. Reference: <see cref="Kernels.Reference.TripletLoss.Forward"/>
    /// (loss[t] for t &lt; triplets) and <see cref="Kernels.Reference.TripletLoss.Backward"/> (dEmb of the mean over the
    /// triplets, overwritten). emb and dEmb hold 3·triplets rows of width dim: anchors, positives, negatives.
    /// </summary>
    void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
        float margin, float eps);

    /// <summary>
    /// Inverted dropout in place on n elements: x[i] ← x[i]/(1 − p) where <see cref="DropoutMask.Keep"/>(key, step, i),
    /// else 0. The same call with the same key and step applies the forward mask to Y and the backward mask to dY.
    /// Reference: <see cref="Kernels.Reference.Dropout.Forward"/> and <see cref="Kernels.Reference.Dropout.Backward"/>.
    /// </summary>
    void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step);

    /// <summary>Decoupled weight decay p ← p − rate·p on n elements. Reference: <see cref="Kernels.Reference.WeightDecay.Apply"/>.</summary>
    void WeightDecay(DeviceBuffer<float> p, int n, float rate);

    /// <summary>Reference: <see cref="Kernels.Reference.Optimizers.Adam"/>.</summary>
    void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
        float lr, float beta1, float beta2, float eps, int t, float gradScale);

    /// <summary>Reference: <see cref="Kernels.Reference.Optimizers.RmsProp"/>.</summary>
    void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
        float lr, float rho, float eps, float gradScale);

    /// <summary>Reference: <see cref="Kernels.Reference.Optimizers.Sgd"/>.</summary>
    void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
        float lr, float momentum, bool nesterov, float gradScale);

    /// <summary>Reference: <see cref="Kernels.Reference.Reductions.Sum"/>; waits for the result.</summary>
    float Sum(DeviceBuffer<float> x, int n);

    /// <summary>Reference: <see cref="Kernels.Reference.Reductions.SumOfSquares"/>; waits for the result.</summary>
    float SumOfSquares(DeviceBuffer<float> x, int n);
}
