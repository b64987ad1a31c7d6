using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Triplet loss forward and backward together (<see cref="Reference.TripletLoss"/>): emb holds 3·triplets rows of
/// width dim, anchors first, then positives, then negatives. Each triplet owns its three rows of dEmb.
/// </summary>
public static unsafe class TripletLoss
{
    /// <summary>
    /// For start ≤ t &lt; end: loss[t] = max(d(a,p) − d(a,n) + margin, 0), d = sqrt(max(Σ (x − y)², eps)); where the
    /// hinge is active dA = ((a−p)/d(a,p) − (a−n)/d(a,n))/T, dP = −(a−p)/(d(a,p)·T), dN = (a−n)/(d(a,n)·T)
    /// (a clamped term contributes zero), else zero; dEmb overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardBackward(VectorWidth width, float* emb, float* loss, float* dEmb, int start, int end,
        int triplets, int dim, float margin, float eps)
    {
        switch (width)
        {
            case VectorWidth.V512: Run<Vector512<float>, Isa512>(emb, loss, dEmb, start, end, triplets, dim, margin, eps); break;
            case VectorWidth.V256: Run<Vector256<float>, Isa256>(emb, loss, dEmb, start, end, triplets, dim, margin, eps); break;
            default: Run<Vector128<float>, Isa128>(emb, loss, dEmb, start, end, triplets, dim, margin, eps); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Run<TV, TI>(float* emb, float* loss, float* dEmb, int start, int end, int triplets, int dim, float margin, float eps)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        for (int t = start; t < end; t++)
        {
            long ra = (long)t * dim, rp = (long)(triplets + t) * dim, rn = (long)(2 * triplets + t) * dim;
            float* a = emb + ra, p = emb + rp, n = emb + rn;
            float sumP = PairDistance.SquaredDistance<TV, TI>(a, p, dim), sumN = PairDistance.SquaredDistance<TV, TI>(a, n, dim);
            float dap = MathF.Sqrt(MathF.Max(sumP, eps)), dan = MathF.Sqrt(MathF.Max(sumN, eps));
            float h = dap - dan + margin;
            bool active = h > 0f;
            loss[t] = active ? h : 0f;
            float sp = !active || sumP < eps ? 0f : 1f / (dap * triplets);
            float sn = !active || sumN < eps ? 0f : 1f / (dan * triplets);
            Gradient<TV, TI>(a, p, n, dEmb + ra, dEmb + rp, dEmb + rn, dim, sp, sn);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Gradient<TV, TI>(float* a, float* p, float* n, float* ga, float* gp, float* gn, int dim, float sp, float sn)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int k = 0, l = TI.Count;
        TV vp = TI.Broadcast(sp), vn = TI.Broadcast(sn);
        for (; k + l <= dim; k += l)
        {
            TV x = TI.Load(a + k);
            TV g1 = TI.Multiply(vp, TI.Subtract(x, TI.Load(p + k)));
            TV g2 = TI.Multiply(vn, TI.Subtract(x, TI.Load(n + k)));
            TI.Store(TI.Subtract(g1, g2), ga + k);
            TI.Store(TI.Subtract(TI.Zero, g1), gp + k);
            TI.Store(g2, gn + k);
        }
        for (; k < dim; k++)
        {
            float g1 = sp * (a[k] - p[k]), g2 = sn * (a[k] - n[k]);
            ga[k] = g1 - g2;
            gp[k] = -g1;
            gn[k] = g2;
        }
    }
}
