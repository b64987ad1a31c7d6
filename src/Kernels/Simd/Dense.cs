using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Dense layer on host vectors, the same mathematics and layouts as <see cref="Reference.Dense"/>:
/// X [rows, inW], W [inW, outW], b [outW], Y [rows, outW], all row-major; every pass overwrites its output.
/// Each method works on a range of output rows so that a backend can split the rows over threads.
/// All three products are one register-tiled kernel C = act(bias + A·B) with A addressed through strides:
/// forward A = X, B = W; backward data A = dY, B = Wᵀ (see <see cref="Transpose"/>); backward weights
/// A = Xᵀ (strides swapped), B = dY.
/// </summary>
public static unsafe class Dense
{
    /// <summary>
    /// Floats of scratch one call needs (per thread): the last, narrower-than-a-register column block of B is
    /// copied into a zero-padded panel of k rows so that it runs through the same vector tile.
    /// </summary>
    public static int ScratchLength(VectorWidth width, int k) => k * width.Lanes();

    /// <summary>Y[r,o] = act(b[o] + Σ_i X[r,i]·W[i,o]) for rowStart ≤ r &lt; rowEnd.</summary>
    public static void Forward(VectorWidth width, float* x, float* w, float* b, float* y,
        int rowStart, int rowEnd, int inW, int outW, Activation act, float* scratch) =>
        Product(width, x, inW, 1, w, b, y, rowStart, rowEnd, inW, outW, act == Activation.Relu, scratch);

    /// <summary>In place: dY[k] = 0 where Y[k] ≤ 0 (ReLU), for start ≤ k &lt; end; Identity leaves dY.</summary>
    public static void ActivationBackward(VectorWidth width, float* y, float* dy, int start, int end, Activation act)
    {
        if (act != Activation.Relu) return;
        switch (width)
        {
            case VectorWidth.V512: ReluBackward<Vector512<float>, Isa512>(y, dy, start, end); break;
            case VectorWidth.V256: ReluBackward<Vector256<float>, Isa256>(y, dy, start, end); break;
            default: ReluBackward<Vector128<float>, Isa128>(y, dy, start, end); break;
        }
    }

    /// <summary>wT[o,i] = W[i,o]: W [inW, outW] into wT [outW, inW].</summary>
    public static void Transpose(float* w, float* wT, int inW, int outW)
    {
        // Blocks of 16x16 keep both the rows read and the rows written in L1.
        const int Block = 16;
        for (int i0 = 0; i0 < inW; i0 += Block)
            for (int o0 = 0; o0 < outW; o0 += Block)
            {
                int i1 = Math.Min(i0 + Block, inW), o1 = Math.Min(o0 + Block, outW);
                for (int i = i0; i < i1; i++)
                    for (int o = o0; o < o1; o++)
                        wT[(long)o * inW + i] = w[(long)i * outW + o];
            }
    }

    /// <summary>dX[r,i] = Σ_o dY[r,o]·W[i,o] for rowStart ≤ r &lt; rowEnd, given wT = Wᵀ [outW, inW].</summary>
    public static void BackwardData(VectorWidth width, float* dy, float* wT, float* dx,
        int rowStart, int rowEnd, int inW, int outW, float* scratch) =>
        Product(width, dy, outW, 1, wT, null, dx, rowStart, rowEnd, outW, inW, false, scratch);

    /// <summary>dW[i,o] = Σ_r X[r,i]·dY[r,o] for inStart ≤ i &lt; inEnd (split these over threads).</summary>
    public static void BackwardWeights(VectorWidth width, float* x, float* dy, float* dw,
        int inStart, int inEnd, int rows, int inW, int outW, float* scratch) =>
        Product(width, x, 1, inW, dy, null, dw, inStart, inEnd, rows, outW, false, scratch);

    /// <summary>db[o] = Σ_r dY[r,o].</summary>
    public static void BiasGradient(VectorWidth width, float* dy, float* db, int rows, int outW)
    {
        switch (width)
        {
            case VectorWidth.V512: ColumnSums<Vector512<float>, Isa512>(dy, db, rows, outW); break;
            case VectorWidth.V256: ColumnSums<Vector256<float>, Isa256>(dy, db, rows, outW); break;
            default: ColumnSums<Vector128<float>, Isa128>(dy, db, rows, outW); break;
        }
    }

    /// <summary>C[m,n] = act(bias[n] + Σ_k A[m,k]·B[k,n]) for m0 ≤ m &lt; m1; A[m,k] = a[m·am + k·ak].</summary>
    static void Product(VectorWidth width, float* a, int am, int ak, float* b, float* bias, float* c,
        int m0, int m1, int k, int n, bool relu, float* scratch)
    {
        switch (width)
        {
            case VectorWidth.V512: Product<Vector512<float>, Isa512>(a, am, ak, b, bias, c, m0, m1, k, n, relu, scratch); break;
            case VectorWidth.V256: Product<Vector256<float>, Isa256>(a, am, ak, b, bias, c, m0, m1, k, n, relu, scratch); break;
            default: Product<Vector128<float>, Isa128>(a, am, ak, b, bias, c, m0, m1, k, n, relu, scratch); break;
        }
    }

    static void Product<TV, TI>(float* a, int am, int ak, float* b, float* bias, float* c,
        int m0, int m1, int k, int n, bool relu, float* scratch)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int lanes = TI.Count, n0 = 0;
        // Column blocks of four registers, then of one; rows four at a time, then one.
        for (; n0 + 4 * lanes <= n; n0 += 4 * lanes)
        {
            float* bb = bias == null ? null : bias + n0;
            int m = m0;
            for (; m + 4 <= m1; m += 4) Tile4x4<TV, TI>(a + (long)m * am, am, ak, b + n0, n, c + (long)m * n + n0, n, k, bb, relu);
            for (; m < m1; m++) Tile1x4<TV, TI>(a + (long)m * am, ak, b + n0, n, c + (long)m * n + n0, k, bb, relu);
        }
        for (; n0 + lanes <= n; n0 += lanes)
            Column<TV, TI>(a, am, ak, b + n0, n, bias == null ? null : bias + n0, c + n0, n, m0, m1, k, relu, lanes);
        if (n0 < n)
        {
            int rest = n - n0;
            for (int kk = 0; kk < k; kk++)
            {
                float* src = b + (long)kk * n + n0, dst = scratch + (long)kk * lanes;
                for (int j = 0; j < lanes; j++) dst[j] = j < rest ? src[j] : 0f;
            }
            float* padded = stackalloc float[lanes];
            for (int j = 0; j < lanes; j++) padded[j] = bias != null && j < rest ? bias[n0 + j] : 0f;
            Column<TV, TI>(a, am, ak, scratch, lanes, bias == null ? null : padded, c + n0, n, m0, m1, k, relu, rest);
        }
    }

    /// <summary>One register-wide column block of C; the first <paramref name="count"/> lanes are stored.</summary>
    static void Column<TV, TI>(float* a, int am, int ak, float* b, int ldb, float* bias, float* c, int ldc,
        int m0, int m1, int k, bool relu, int count)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int m = m0;
        for (; m + 4 <= m1; m += 4) Tile4x1<TV, TI>(a + (long)m * am, am, ak, b, ldb, c + (long)m * ldc, ldc, k, bias, relu, count);
        for (; m < m1; m++) Tile1x1<TV, TI>(a + (long)m * am, ak, b, ldb, c + (long)m * ldc, k, bias, relu, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV Finish<TV, TI>(TV acc, TV bias, bool relu) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        acc = TI.Add(acc, bias);
        return relu ? TI.Max(acc, TI.Zero) : acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV BiasAt<TV, TI>(float* bias, int offset) where TV : struct where TI : struct, IVectorIsa<TV> =>
        bias == null ? TI.Zero : TI.Load(bias + offset);

    /// <summary>4 rows × 4 registers: 16 accumulators, 4 loads of B and 4 broadcasts of A per k.</summary>
    static void Tile4x4<TV, TI>(float* a, int am, int ak, float* b, int ldb, float* c, int ldc, int k, float* bias, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count;
        TV c00 = TI.Zero, c01 = TI.Zero, c02 = TI.Zero, c03 = TI.Zero;
        TV c10 = TI.Zero, c11 = TI.Zero, c12 = TI.Zero, c13 = TI.Zero;
        TV c20 = TI.Zero, c21 = TI.Zero, c22 = TI.Zero, c23 = TI.Zero;
        TV c30 = TI.Zero, c31 = TI.Zero, c32 = TI.Zero, c33 = TI.Zero;
        float* a0 = a, a1 = a + am, a2 = a + 2 * am, a3 = a + 3 * am;
        for (int kk = 0; kk < k; kk++)
        {
            TV b0 = TI.Load(b), b1 = TI.Load(b + l), b2 = TI.Load(b + 2 * l), b3 = TI.Load(b + 3 * l);
            TV x = TI.Broadcast(*a0);
            c00 = TI.MulAdd(x, b0, c00); c01 = TI.MulAdd(x, b1, c01); c02 = TI.MulAdd(x, b2, c02); c03 = TI.MulAdd(x, b3, c03);
            x = TI.Broadcast(*a1);
            c10 = TI.MulAdd(x, b0, c10); c11 = TI.MulAdd(x, b1, c11); c12 = TI.MulAdd(x, b2, c12); c13 = TI.MulAdd(x, b3, c13);
            x = TI.Broadcast(*a2);
            c20 = TI.MulAdd(x, b0, c20); c21 = TI.MulAdd(x, b1, c21); c22 = TI.MulAdd(x, b2, c22); c23 = TI.MulAdd(x, b3, c23);
            x = TI.Broadcast(*a3);
            c30 = TI.MulAdd(x, b0, c30); c31 = TI.MulAdd(x, b1, c31); c32 = TI.MulAdd(x, b2, c32); c33 = TI.MulAdd(x, b3, c33);
            a0 += ak; a1 += ak; a2 += ak; a3 += ak; b += ldb;
        }
        TV d0 = BiasAt<TV, TI>(bias, 0), d1 = BiasAt<TV, TI>(bias, l), d2 = BiasAt<TV, TI>(bias, 2 * l), d3 = BiasAt<TV, TI>(bias, 3 * l);
        TI.Store(Finish<TV, TI>(c00, d0, relu), c); TI.Store(Finish<TV, TI>(c01, d1, relu), c + l);
        TI.Store(Finish<TV, TI>(c02, d2, relu), c + 2 * l); TI.Store(Finish<TV, TI>(c03, d3, relu), c + 3 * l);
        c += ldc;
        TI.Store(Finish<TV, TI>(c10, d0, relu), c); TI.Store(Finish<TV, TI>(c11, d1, relu), c + l);
        TI.Store(Finish<TV, TI>(c12, d2, relu), c + 2 * l); TI.Store(Finish<TV, TI>(c13, d3, relu), c + 3 * l);
        c += ldc;
        TI.Store(Finish<TV, TI>(c20, d0, relu), c); TI.Store(Finish<TV, TI>(c21, d1, relu), c + l);
        TI.Store(Finish<TV, TI>(c22, d2, relu), c + 2 * l); TI.Store(Finish<TV, TI>(c23, d3, relu), c + 3 * l);
        c += ldc;
        TI.Store(Finish<TV, TI>(c30, d0, relu), c); TI.Store(Finish<TV, TI>(c31, d1, relu), c + l);
        TI.Store(Finish<TV, TI>(c32, d2, relu), c + 2 * l); TI.Store(Finish<TV, TI>(c33, d3, relu), c + 3 * l);
    }

    static void Tile1x4<TV, TI>(float* a, int ak, float* b, int ldb, float* c, int k, float* bias, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count;
        TV c0 = TI.Zero, c1 = TI.Zero, c2 = TI.Zero, c3 = TI.Zero;
        for (int kk = 0; kk < k; kk++)
        {
            TV x = TI.Broadcast(*a);
            c0 = TI.MulAdd(x, TI.Load(b), c0); c1 = TI.MulAdd(x, TI.Load(b + l), c1);
            c2 = TI.MulAdd(x, TI.Load(b + 2 * l), c2); c3 = TI.MulAdd(x, TI.Load(b + 3 * l), c3);
            a += ak; b += ldb;
        }
        TI.Store(Finish<TV, TI>(c0, BiasAt<TV, TI>(bias, 0), relu), c);
        TI.Store(Finish<TV, TI>(c1, BiasAt<TV, TI>(bias, l), relu), c + l);
        TI.Store(Finish<TV, TI>(c2, BiasAt<TV, TI>(bias, 2 * l), relu), c + 2 * l);
        TI.Store(Finish<TV, TI>(c3, BiasAt<TV, TI>(bias, 3 * l), relu), c + 3 * l);
    }

    static void Tile4x1<TV, TI>(float* a, int am, int ak, float* b, int ldb, float* c, int ldc, int k, float* bias, bool relu, int count)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        TV c0 = TI.Zero, c1 = TI.Zero, c2 = TI.Zero, c3 = TI.Zero;
        float* a0 = a, a1 = a + am, a2 = a + 2 * am, a3 = a + 3 * am;
        for (int kk = 0; kk < k; kk++)
        {
            TV w = TI.Load(b);
            c0 = TI.MulAdd(TI.Broadcast(*a0), w, c0); c1 = TI.MulAdd(TI.Broadcast(*a1), w, c1);
            c2 = TI.MulAdd(TI.Broadcast(*a2), w, c2); c3 = TI.MulAdd(TI.Broadcast(*a3), w, c3);
            a0 += ak; a1 += ak; a2 += ak; a3 += ak; b += ldb;
        }
        TV d = BiasAt<TV, TI>(bias, 0);
        Store<TV, TI>(Finish<TV, TI>(c0, d, relu), c, count);
        Store<TV, TI>(Finish<TV, TI>(c1, d, relu), c + ldc, count);
        Store<TV, TI>(Finish<TV, TI>(c2, d, relu), c + 2 * ldc, count);
        Store<TV, TI>(Finish<TV, TI>(c3, d, relu), c + 3 * ldc, count);
    }

    static void Tile1x1<TV, TI>(float* a, int ak, float* b, int ldb, float* c, int k, float* bias, bool relu, int count)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        TV c0 = TI.Zero;
        for (int kk = 0; kk < k; kk++)
        {
            c0 = TI.MulAdd(TI.Broadcast(*a), TI.Load(b), c0);
            a += ak; b += ldb;
        }
        Store<TV, TI>(Finish<TV, TI>(c0, BiasAt<TV, TI>(bias, 0), relu), c, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store<TV, TI>(TV v, float* c, int count) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        if (count == TI.Count) TI.Store(v, c);
        else StorePartial<TV, TI>(v, c, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void StorePartial<TV, TI>(TV v, float* c, int count) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        float* lanes = stackalloc float[TI.Count];
        TI.Store(v, lanes);
        for (int j = 0; j < count; j++) c[j] = lanes[j];
    }

    static void ReluBackward<TV, TI>(float* y, float* dy, int start, int end) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int i = start, l = TI.Count;
        for (; i + l <= end; i += l) TI.Store(TI.ZeroWhereNotPositive(TI.Load(y + i), TI.Load(dy + i)), dy + i);
        for (; i < end; i++) if (y[i] <= 0) dy[i] = 0;
    }

    static void ColumnSums<TV, TI>(float* dy, float* db, int rows, int outW) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int o = 0, l = TI.Count;
        for (; o + l <= outW; o += l)
        {
            TV s = TI.Zero;
            for (int r = 0; r < rows; r++) s = TI.Add(s, TI.Load(dy + (long)r * outW + o));
            TI.Store(s, db + o);
        }
        for (; o < outW; o++)
        {
            float s = 0;
            for (int r = 0; r < rows; r++) s += dy[(long)r * outW + o];
            db[o] = s;
        }
    }
}
