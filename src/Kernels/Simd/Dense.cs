using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Dense layer on host vectors, the same mathematics and layouts as <see cref="Reference.Dense"/>:
/// X [rows, inW], W [inW, outW], b [outW], Y [rows, outW], all row-major; every pass overwrites its output.
/// Each method works on a range of output rows so that a backend can split the rows over threads.
/// All three products are one register-tiled kernel C = act(bias + A·B) with A addressed through strides:
/// forward A = X, B = W; backward data A = dY, B = Wᵀ (see <see cref="Transpose"/>); backward weights
/// A = Xᵀ (strides swapped), B = dY.
/// The last column block, narrower than a register, is loaded a full register wide: lanes never mix in
/// these products, so the lanes past the row's end only feed lanes that are not stored. W, Wᵀ, dY and b
/// must therefore be readable for <see cref="ReadSlackBytes"/> past their last element (SimdBuffer is).
/// </summary>
[SkipLocalsInit]
public static unsafe class Dense
{
    /// <summary>Floats in the widest register (Vector512): the size of the tiles' spill-free tail buffers.</summary>
    const int MaxLanes = 16;

    /// <summary>Bytes past the end of B and of the bias that a product may read (never write): one register.</summary>
    public const int ReadSlackBytes = MaxLanes * sizeof(float);

    /// <summary>Y[r,o] = act(b[o] + Σ_i X[r,i]·W[i,o]) for rowStart ≤ r &lt; rowEnd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(VectorWidth width, float* x, float* w, float* b, float* y,
        int rowStart, int rowEnd, int inW, int outW, Activation act) =>
        Product(width, x, inW, 1, w, b, y, rowStart, rowEnd, inW, outW, act == Activation.Relu);

    /// <summary>In place: dY[k] = 0 where Y[k] ≤ 0 (ReLU), for start ≤ k &lt; end; Identity leaves dY.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardData(VectorWidth width, float* dy, float* wT, float* dx,
        int rowStart, int rowEnd, int inW, int outW) =>
        Product(width, dy, outW, 1, wT, null, dx, rowStart, rowEnd, outW, inW, false);

    /// <summary>dW[i,o] = Σ_r X[r,i]·dY[r,o] for inStart ≤ i &lt; inEnd (split these over threads).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardWeights(VectorWidth width, float* x, float* dy, float* dw,
        int inStart, int inEnd, int rows, int inW, int outW) =>
        Product(width, x, 1, inW, dy, null, dw, inStart, inEnd, rows, outW, false);

    /// <summary>db[o] = Σ_r dY[r,o].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Product(VectorWidth width, float* a, int am, int ak, float* b, float* bias, float* c,
        int m0, int m1, int k, int n, bool relu)
    {
        switch (width)
        {
            case VectorWidth.V512: Product<Vector512<float>, Isa512>(a, am, ak, b, bias, c, m0, m1, k, n, relu); break;
            case VectorWidth.V256: Product<Vector256<float>, Isa256>(a, am, ak, b, bias, c, m0, m1, k, n, relu); break;
            default: Product<Vector128<float>, Isa128>(a, am, ak, b, bias, c, m0, m1, k, n, relu); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Product<TV, TI>(float* a, int am, int ak, float* b, float* bias, float* c,
        int m0, int m1, int k, int n, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int lanes = TI.Count, n0 = 0;
        // Column blocks of four registers (Vector512: 16 accumulators, which needs AVX-512's 32 registers)
        // or of two (Vector256/128, for machines with 16: a 4x4 tile spilled there), then of one register;
        // rows four at a time, then one.
        if (lanes == MaxLanes)
            for (; n0 + 4 * lanes <= n; n0 += 4 * lanes)
            {
                float* bb = bias == null ? null : bias + n0;
                int m = m0;
                for (; m + 4 <= m1; m += 4) Tile4x4<TV, TI>(a + (long)m * am, am, ak, b + n0, n, c + (long)m * n + n0, n, k, bb, relu);
                for (; m < m1; m++) Tile1x4<TV, TI>(a + (long)m * am, ak, b + n0, n, c + (long)m * n + n0, k, bb, relu);
            }
        else
            for (; n0 + 2 * lanes <= n; n0 += 2 * lanes)
            {
                float* bb = bias == null ? null : bias + n0;
                int m = m0;
                for (; m + 4 <= m1; m += 4) Tile4x2<TV, TI>(a + (long)m * am, am, ak, b + n0, n, c + (long)m * n + n0, n, k, bb, relu);
                for (; m < m1; m++) Tile1x2<TV, TI>(a + (long)m * am, ak, b + n0, n, c + (long)m * n + n0, k, bb, relu);
            }
        for (; n0 + lanes <= n; n0 += lanes)
            Column<TV, TI>(a, am, ak, b + n0, n, bias == null ? null : bias + n0, c + n0, n, m0, m1, k, relu, lanes);
        if (n0 < n)
            Column<TV, TI>(a, am, ak, b + n0, n, bias == null ? null : bias + n0, c + n0, n, m0, m1, k, relu, n - n0);
    }

    /// <summary>One register-wide column block of C; the first <paramref name="count"/> lanes are stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>4 rows × 2 registers: 8 accumulators, 2 loads of B and 4 broadcasts of A per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile4x2<TV, TI>(float* a, int am, int ak, float* b, int ldb, float* c, int ldc, int k, float* bias, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count;
        TV c00 = TI.Zero, c01 = TI.Zero, c10 = TI.Zero, c11 = TI.Zero;
        TV c20 = TI.Zero, c21 = TI.Zero, c30 = TI.Zero, c31 = TI.Zero;
        float* a0 = a, a1 = a + am, a2 = a + 2 * am, a3 = a + 3 * am;
        for (int kk = 0; kk < k; kk++)
        {
            TV b0 = TI.Load(b), b1 = TI.Load(b + l);
            TV x = TI.Broadcast(*a0);
            c00 = TI.MulAdd(x, b0, c00); c01 = TI.MulAdd(x, b1, c01);
            x = TI.Broadcast(*a1);
            c10 = TI.MulAdd(x, b0, c10); c11 = TI.MulAdd(x, b1, c11);
            x = TI.Broadcast(*a2);
            c20 = TI.MulAdd(x, b0, c20); c21 = TI.MulAdd(x, b1, c21);
            x = TI.Broadcast(*a3);
            c30 = TI.MulAdd(x, b0, c30); c31 = TI.MulAdd(x, b1, c31);
            a0 += ak; a1 += ak; a2 += ak; a3 += ak; b += ldb;
        }
        TV d0 = BiasAt<TV, TI>(bias, 0), d1 = BiasAt<TV, TI>(bias, l);
        TI.Store(Finish<TV, TI>(c00, d0, relu), c); TI.Store(Finish<TV, TI>(c01, d1, relu), c + l);
        c += ldc;
        TI.Store(Finish<TV, TI>(c10, d0, relu), c); TI.Store(Finish<TV, TI>(c11, d1, relu), c + l);
        c += ldc;
        TI.Store(Finish<TV, TI>(c20, d0, relu), c); TI.Store(Finish<TV, TI>(c21, d1, relu), c + l);
        c += ldc;
        TI.Store(Finish<TV, TI>(c30, d0, relu), c); TI.Store(Finish<TV, TI>(c31, d1, relu), c + l);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile1x2<TV, TI>(float* a, int ak, float* b, int ldb, float* c, int k, float* bias, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count;
        TV c0 = TI.Zero, c1 = TI.Zero;
        for (int kk = 0; kk < k; kk++)
        {
            TV x = TI.Broadcast(*a);
            c0 = TI.MulAdd(x, TI.Load(b), c0); c1 = TI.MulAdd(x, TI.Load(b + l), c1);
            a += ak; b += ldb;
        }
        TI.Store(Finish<TV, TI>(c0, BiasAt<TV, TI>(bias, 0), relu), c);
        TI.Store(Finish<TV, TI>(c1, BiasAt<TV, TI>(bias, l), relu), c + l);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        c0 = Finish<TV, TI>(c0, d, relu); c1 = Finish<TV, TI>(c1, d, relu);
        c2 = Finish<TV, TI>(c2, d, relu); c3 = Finish<TV, TI>(c3, d, relu);
        if (count == TI.Count)
        {
            TI.Store(c0, c); TI.Store(c1, c + ldc); TI.Store(c2, c + 2 * ldc); TI.Store(c3, c + 3 * ldc);
            return;
        }
        // No call while the accumulators are live: a call makes the JIT spill them inside the k loop.
        int l = TI.Count;
        float* lanes = stackalloc float[4 * MaxLanes];
        TI.Store(c0, lanes); TI.Store(c1, lanes + l); TI.Store(c2, lanes + 2 * l); TI.Store(c3, lanes + 3 * l);
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < count; j++) c[(long)r * ldc + j] = lanes[r * l + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile1x1<TV, TI>(float* a, int ak, float* b, int ldb, float* c, int k, float* bias, bool relu, int count)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        TV c0 = TI.Zero;
        for (int kk = 0; kk < k; kk++)
        {
            c0 = TI.MulAdd(TI.Broadcast(*a), TI.Load(b), c0);
            a += ak; b += ldb;
        }
        c0 = Finish<TV, TI>(c0, BiasAt<TV, TI>(bias, 0), relu);
        if (count == TI.Count)
        {
            TI.Store(c0, c);
            return;
        }
        float* lanes = stackalloc float[MaxLanes];
        TI.Store(c0, lanes);
        for (int j = 0; j < count; j++) c[j] = lanes[j];
    }

    // ---------------------------------------------------------------------------------------------
    // The packed product, for products too large for the register-tiled kernels above to keep B in cache.
    // GotoBLAS/BLIS order: for each block of Nc columns, for each block of Kc of the summed index, B's
    // block is packed into panels of NR columns (kc×NR contiguous, zero-padded past the last column),
    // and for each block of Mc rows A's block is packed into panels of MR rows (kc×MR contiguous); then
    // every MR×NR tile of C runs through one micro-kernel whose 2·MR accumulators stay in registers for
    // the whole block. Each
    // output is still one FMA chain over k = 0..K-1 from zero, carried between blocks through C itself
    // (a float store and reload is exact), then + bias, then ReLU: the same operations in the same order
    // as the register-tiled kernels, so both paths give the same bits and the size rule changes no result.
    // ---------------------------------------------------------------------------------------------

    /// <summary>Rows of the packed path's micro-tile.</summary>
    public const int PackedRows = 8;

    /// <summary>The summed index's block: a kc×NR panel of B (32 KiB at NR = 32) stays in L1.</summary>
    public const int PackedDepth = 128;

    /// <summary>Columns of B packed at once: a kc×Nc block (512 KiB) stays in a core's L2.</summary>
    public const int PackedColumns = 512;

    /// <summary>Rows of A packed at once: an Mc×kc block (128 KiB) stays in L2 beside B's block.</summary>
    public const int PackedRowBlock = 128;

    /// <summary>Floats of per-thread scratch a packed product needs (B's block, A's block, an edge tile, a padded bias).</summary>
    public const int PackedScratchFloats = PackedDepth * PackedColumns + PackedRowBlock * PackedDepth + PackedRows * 2 * MaxLanes + 2 * MaxLanes;

    /// <summary>Columns of the packed micro-tile: two registers.</summary>
    public static int PackedColumnsPerTile(VectorWidth width) => 2 * width.Lanes();

    /// <summary>
    /// Whether a product of m×k by k×n takes the packed path rather than the register-tiled kernels. Measured in
    /// perf (ProductVersions, v1 against v2): packing pays once B (k·n floats) no longer fits in L2 beside A's rows,
    /// or once C is wide (the tiled kernels re-read all of A for every 64 columns), or, when A is read transposed
    /// (dW's Xᵀ), once the sum is long (the tiled kernels then read A down its columns). The exercise's products
    /// (196→200 and 200→10 at 128 rows) stay on the tiled kernels, where they were measured fastest.
    /// </summary>
    public static bool Packs(int m, int n, int k, bool transposedA = false) =>
        m >= PackedRows && ((long)k * n >= PackedMinimumB || n >= PackedMinimumColumns || transposedA && k >= PackedMinimumDepthTransposed);

    /// <summary>Elements of B (k·n) from which the packed path is taken: 128 K floats = 512 KiB.</summary>
    public const long PackedMinimumB = 1 << 17;

    /// <summary>Columns of C from which the packed path is taken.</summary>
    public const int PackedMinimumColumns = 512;

    /// <summary>Length of the sum from which a product with A transposed (dW) takes the packed path.</summary>
    public const int PackedMinimumDepthTransposed = 512;

    /// <summary>
    /// C[i,j] = act(bias[j] + Σ_p A[i,p]·B[p,j]) for m0 ≤ i &lt; m1, n0 ≤ j &lt; n1, where A[i,p] = a[i·am + p·ak],
    /// B[p,j] = b[p·bk + j·bn], C[i,j] = c[i·ldc + j]: a part of a general product (row-major or transposed
    /// operands through the strides) that one thread computes, packing B into <paramref name="scratch"/>
    /// (<see cref="PackedScratchFloats"/> floats, 64-byte aligned). bias may be null (then + 0). When
    /// <paramref name="columnSums"/> is not null, columnSums[j] = Σ_p B[p,j] for the part's columns too
    /// (dW's db from the dY it packs), summed in the order of <see cref="BiasGradient"/>.
    /// Forward: A = X (am = inW, ak = 1), B = W (bk = outW, bn = 1). Backward data: A = dY, B = Wᵀ
    /// (bk = 1, bn = outW). Backward weights: A = Xᵀ (am = 1, ak = inW), B = dY.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackedProduct(VectorWidth width, float* a, long am, long ak, float* b, long bk, long bn,
        float* bias, float* c, long ldc, int k, int m0, int m1, int n0, int n1, bool relu, float* scratch, float* columnSums = null)
    {
        switch (width)
        {
            case VectorWidth.V512: PackedProduct<Vector512<float>, Isa512>(a, am, ak, b, bk, bn, bias, c, ldc, k, m0, m1, n0, n1, relu, scratch, columnSums); break;
            case VectorWidth.V256: PackedProduct<Vector256<float>, Isa256>(a, am, ak, b, bk, bn, bias, c, ldc, k, m0, m1, n0, n1, relu, scratch, columnSums); break;
            default: PackedProduct<Vector128<float>, Isa128>(a, am, ak, b, bk, bn, bias, c, ldc, k, m0, m1, n0, n1, relu, scratch, columnSums); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackedProduct<TV, TI>(float* a, long am, long ak, float* b, long bk, long bn, float* bias, float* c, long ldc,
        int k, int m0, int m1, int n0, int n1, bool relu, float* scratch, float* columnSums)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int nr = 2 * TI.Count;
        float* packed = scratch, packedA = packed + PackedDepth * PackedColumns;
        float* edge = packedA + PackedRowBlock * PackedDepth, edgeBias = edge + PackedRows * 2 * MaxLanes;
        if (columnSums != null)
            for (int j = n0; j < n1; j++) columnSums[j] = 0;
        if (k == 0)
        {
            // No sum to run: C = act(bias + 0).
            for (int i = m0; i < m1; i++)
                for (int j = n0; j < n1; j++)
                {
                    float v = (bias == null ? 0f : bias[j]) + 0f;
                    c[i * ldc + j] = relu ? MathF.Max(v, 0f) : v;
                }
            return;
        }
        for (int jc = n0; jc < n1; jc += PackedColumns)
        {
            int nc = Math.Min(PackedColumns, n1 - jc);
            for (int pc = 0; pc < k; pc += PackedDepth)
            {
                int kc = Math.Min(PackedDepth, k - pc);
                PackB<TV, TI>(b + pc * bk + jc * bn, bk, bn, kc, nc, packed, columnSums == null ? null : columnSums + jc);
                bool accumulate = pc > 0, finish = pc + kc == k;
                for (int ic = m0; ic < m1; ic += PackedRowBlock)
                {
                    int mc = Math.Min(PackedRowBlock, m1 - ic);
                    PackA(a + ic * am + pc * ak, am, ak, mc, kc, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* panel = packed + (long)jr * kc;
                        float* tileBias = finish && bias != null ? bias + jc + jr : null;
                        if (cols < nr && tileBias != null)
                        {
                            for (int j = 0; j < nr; j++) edgeBias[j] = j < cols ? tileBias[j] : 0f;
                            tileBias = edgeBias;
                        }
                        for (int ir = 0; ir < mc; ir += PackedRows)
                        {
                            int rows = Math.Min(PackedRows, mc - ir);
                            float* ap = packedA + ir * kc;
                            float* ct = c + (ic + ir) * ldc + jc + jr;
                            if (rows == PackedRows && cols == nr)
                            {
                                Micro8x2<TV, TI>(ap, panel, ct, ldc, kc, accumulate, finish, tileBias, relu);
                                continue;
                            }
                            // A tile past C's last row or column: computed whole in a local tile (A's rows past
                            // the end are zeros), and only C's part of it copied in and out.
                            if (accumulate)
                                for (int r = 0; r < rows; r++)
                                    for (int j = 0; j < cols; j++) edge[r * nr + j] = ct[r * ldc + j];
                            Micro8x2<TV, TI>(ap, panel, edge, nr, kc, accumulate, finish, tileBias, relu);
                            for (int r = 0; r < rows; r++)
                                for (int j = 0; j < cols; j++) ct[r * ldc + j] = edge[r * nr + j];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A[i, p] for i &lt; mc, p &lt; kc into panels of MR rows: panel q holds A[q·MR + r, p] at q·MR·kc + p·MR + r,
    /// zero past row mc. The micro-kernel then reads A as one stream, whatever A's strides (a power-of-two
    /// row stride would otherwise put its MR rows in one L1 set).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackA(float* a, long am, long ak, int mc, int kc, float* packed)
    {
        const int mr = PackedRows;
        for (int q = 0; q < mc; q += mr)
        {
            int rows = Math.Min(mr, mc - q);
            float* dst = packed + q * kc;
            float* src = a + q * am;
            if (am == 1 && rows == mr)
            {
                // Aᵀ stored (dW's Xᵀ): the panel's MR rows are contiguous at each p.
                for (int p = 0; p < kc; p++) Vector256.Store(Vector256.Load(src + p * ak), dst + p * mr);
                continue;
            }
            int p0 = 0;
            if (ak == 1 && rows == mr && Avx.IsSupported)
                // Row-major A (X, dY): 8×8 blocks transposed in AVX registers.
                for (; p0 + 8 <= kc; p0 += 8) Transpose8(src + p0, am, dst + p0 * mr);
            if (p0 == kc) continue;
            for (int r = 0; r < mr; r++)
            {
                if (r >= rows)
                {
                    for (int p = p0; p < kc; p++) dst[p * mr + r] = 0f;
                    continue;
                }
                float* s = src + r * am;
                for (int p = p0; p < kc; p++) dst[p * mr + r] = s[p * ak];
            }
        }
    }

    /// <summary>
    /// B[p, j] for p &lt; kc, j &lt; nc into panels of NR columns: panel q holds B[p, q·NR + j] at q·kc·NR + p·NR + j,
    /// zero past column nc. columnSums[j] += B[p, j] in order of p when not null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackB<TV, TI>(float* b, long bk, long bn, int kc, int nc, float* packed, float* columnSums)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count, nr = 2 * l;
        for (int q = 0; q < nc; q += nr)
        {
            int cols = Math.Min(nr, nc - q);
            float* dst = packed + (long)q * kc;
            float* src = b + q * bn;
            if (bn == 1 && cols == nr)
            {
                if (columnSums == null)
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + p * bk;
                        TI.Store(TI.Load(s), dst + p * nr);
                        TI.Store(TI.Load(s + l), dst + p * nr + l);
                    }
                else
                {
                    TV s0 = TI.Load(columnSums + q), s1 = TI.Load(columnSums + q + l);
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + p * bk;
                        TV v0 = TI.Load(s), v1 = TI.Load(s + l);
                        TI.Store(v0, dst + p * nr);
                        TI.Store(v1, dst + p * nr + l);
                        s0 = TI.Add(s0, v0); s1 = TI.Add(s1, v1);
                    }
                    TI.Store(s0, columnSums + q); TI.Store(s1, columnSums + q + l);
                }
                continue;
            }
            int p0 = 0;
            if (bk == 1 && cols == nr && columnSums == null && l == 16 && Avx512F.IsSupported)
                // Transposed B (dX's Wᵀ): 16×16 blocks through registers, 16 loads along p and 16 stores along j.
                for (; p0 + 16 <= kc; p0 += 16)
                {
                    Transpose16(src + p0, bn, dst + p0 * nr, nr);
                    Transpose16(src + 16 * bn + p0, bn, dst + p0 * nr + 16, nr);
                }
            // Transposed B's last p (or any B at 256/128 bits), or a partial panel: column by column along p.
            if (p0 < kc)
                for (int j = 0; j < nr; j++)
                {
                    if (j >= cols)
                    {
                        for (int p = p0; p < kc; p++) dst[p * nr + j] = 0f;
                        continue;
                    }
                    float* s = src + j * bn;
                    if (columnSums == null)
                        for (int p = p0; p < kc; p++) dst[p * nr + j] = s[p * bk];
                    else
                    {
                        float sum = columnSums[q + j];
                        for (int p = p0; p < kc; p++)
                        {
                            float v = s[p * bk];
                            dst[p * nr + j] = v;
                            sum += v;
                        }
                        columnSums[q + j] = sum;
                    }
                }
        }
    }

    /// <summary>dst[i·dstStride + j] = src[j·srcStride + i] for i, j &lt; 16: a 16×16 block transposed in AVX-512 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose16(float* src, long srcStride, float* dst, long dstStride)
    {
        var r0 = Vector512.Load(src); var r1 = Vector512.Load(src + srcStride);
        var r2 = Vector512.Load(src + 2 * srcStride); var r3 = Vector512.Load(src + 3 * srcStride);
        var r4 = Vector512.Load(src + 4 * srcStride); var r5 = Vector512.Load(src + 5 * srcStride);
        var r6 = Vector512.Load(src + 6 * srcStride); var r7 = Vector512.Load(src + 7 * srcStride);
        var r8 = Vector512.Load(src + 8 * srcStride); var r9 = Vector512.Load(src + 9 * srcStride);
        var r10 = Vector512.Load(src + 10 * srcStride); var r11 = Vector512.Load(src + 11 * srcStride);
        var r12 = Vector512.Load(src + 12 * srcStride); var r13 = Vector512.Load(src + 13 * srcStride);
        var r14 = Vector512.Load(src + 14 * srcStride); var r15 = Vector512.Load(src + 15 * srcStride);
        // 32-bit interleave of row pairs, then 64-bit, then 128-bit lanes twice.
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5); var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7); var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9); var t9 = Avx512F.UnpackHigh(r8, r9);
        var t10 = Avx512F.UnpackLow(r10, r11); var t11 = Avx512F.UnpackHigh(r10, r11);
        var t12 = Avx512F.UnpackLow(r12, r13); var t13 = Avx512F.UnpackHigh(r12, r13);
        var t14 = Avx512F.UnpackLow(r14, r15); var t15 = Avx512F.UnpackHigh(r14, r15);
        r0 = Lo64(t0, t2); r1 = Hi64(t0, t2); r2 = Lo64(t1, t3); r3 = Hi64(t1, t3);
        r4 = Lo64(t4, t6); r5 = Hi64(t4, t6); r6 = Lo64(t5, t7); r7 = Hi64(t5, t7);
        r8 = Lo64(t8, t10); r9 = Hi64(t8, t10); r10 = Lo64(t9, t11); r11 = Hi64(t9, t11);
        r12 = Lo64(t12, t14); r13 = Hi64(t12, t14); r14 = Lo64(t13, t15); r15 = Hi64(t13, t15);
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xdd); t5 = Avx512F.Shuffle4x128(r1, r5, 0xdd);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xdd); t7 = Avx512F.Shuffle4x128(r3, r7, 0xdd);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88);
        t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xdd); t13 = Avx512F.Shuffle4x128(r9, r13, 0xdd);
        t14 = Avx512F.Shuffle4x128(r10, r14, 0xdd); t15 = Avx512F.Shuffle4x128(r11, r15, 0xdd);
        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(dst); Avx512F.Shuffle4x128(t1, t9, 0x88).Store(dst + dstStride);
        Avx512F.Shuffle4x128(t2, t10, 0x88).Store(dst + 2 * dstStride); Avx512F.Shuffle4x128(t3, t11, 0x88).Store(dst + 3 * dstStride);
        Avx512F.Shuffle4x128(t4, t12, 0x88).Store(dst + 4 * dstStride); Avx512F.Shuffle4x128(t5, t13, 0x88).Store(dst + 5 * dstStride);
        Avx512F.Shuffle4x128(t6, t14, 0x88).Store(dst + 6 * dstStride); Avx512F.Shuffle4x128(t7, t15, 0x88).Store(dst + 7 * dstStride);
        Avx512F.Shuffle4x128(t0, t8, 0xdd).Store(dst + 8 * dstStride); Avx512F.Shuffle4x128(t1, t9, 0xdd).Store(dst + 9 * dstStride);
        Avx512F.Shuffle4x128(t2, t10, 0xdd).Store(dst + 10 * dstStride); Avx512F.Shuffle4x128(t3, t11, 0xdd).Store(dst + 11 * dstStride);
        Avx512F.Shuffle4x128(t4, t12, 0xdd).Store(dst + 12 * dstStride); Avx512F.Shuffle4x128(t5, t13, 0xdd).Store(dst + 13 * dstStride);
        Avx512F.Shuffle4x128(t6, t14, 0xdd).Store(dst + 14 * dstStride); Avx512F.Shuffle4x128(t7, t15, 0xdd).Store(dst + 15 * dstStride);
    }

    /// <summary>dst[i·8 + j] = src[j·srcStride + i] for i, j &lt; 8: an 8×8 block transposed in AVX registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8(float* src, long srcStride, float* dst)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride); var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride); var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride); var r7 = Avx.LoadVector256(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20)); Avx.Store(dst + 8, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 16, Avx.Permute2x128(u2, u6, 0x20)); Avx.Store(dst + 24, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 32, Avx.Permute2x128(u0, u4, 0x31)); Avx.Store(dst + 40, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 48, Avx.Permute2x128(u2, u6, 0x31)); Avx.Store(dst + 56, Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Lo64(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Hi64(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

    /// <summary>
    /// The packed path's micro-kernel: 8 rows × 2 registers (16 accumulators; 32 columns at AVX-512), per p
    /// two loads of B's packed panel and eight broadcasts from A's packed panel. accumulate: start from C instead of zero;
    /// finish: then + bias (or + 0) and ReLU, as <see cref="Finish{TV, TI}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Micro8x2<TV, TI>(float* a, float* b, float* c, long ldc, int kc, bool accumulate, bool finish, float* bias, bool relu)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int l = TI.Count, nr = 2 * l;
        TV c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate)
        {
            c00 = TI.Load(c); c01 = TI.Load(c + l);
            c10 = TI.Load(c + ldc); c11 = TI.Load(c + ldc + l);
            c20 = TI.Load(c + 2 * ldc); c21 = TI.Load(c + 2 * ldc + l);
            c30 = TI.Load(c + 3 * ldc); c31 = TI.Load(c + 3 * ldc + l);
            c40 = TI.Load(c + 4 * ldc); c41 = TI.Load(c + 4 * ldc + l);
            c50 = TI.Load(c + 5 * ldc); c51 = TI.Load(c + 5 * ldc + l);
            c60 = TI.Load(c + 6 * ldc); c61 = TI.Load(c + 6 * ldc + l);
            c70 = TI.Load(c + 7 * ldc); c71 = TI.Load(c + 7 * ldc + l);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = TI.Zero;
            c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = TI.Zero;
        }
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TI.Load(b), b1 = TI.Load(b + l);
            TV x = TI.Broadcast(a[0]); c00 = TI.MulAdd(x, b0, c00); c01 = TI.MulAdd(x, b1, c01);
            x = TI.Broadcast(a[1]); c10 = TI.MulAdd(x, b0, c10); c11 = TI.MulAdd(x, b1, c11);
            x = TI.Broadcast(a[2]); c20 = TI.MulAdd(x, b0, c20); c21 = TI.MulAdd(x, b1, c21);
            x = TI.Broadcast(a[3]); c30 = TI.MulAdd(x, b0, c30); c31 = TI.MulAdd(x, b1, c31);
            x = TI.Broadcast(a[4]); c40 = TI.MulAdd(x, b0, c40); c41 = TI.MulAdd(x, b1, c41);
            x = TI.Broadcast(a[5]); c50 = TI.MulAdd(x, b0, c50); c51 = TI.MulAdd(x, b1, c51);
            x = TI.Broadcast(a[6]); c60 = TI.MulAdd(x, b0, c60); c61 = TI.MulAdd(x, b1, c61);
            x = TI.Broadcast(a[7]); c70 = TI.MulAdd(x, b0, c70); c71 = TI.MulAdd(x, b1, c71);
            a += PackedRows;
            b += nr;
        }
        if (finish)
        {
            TV d0 = BiasAt<TV, TI>(bias, 0), d1 = BiasAt<TV, TI>(bias, l);
            c00 = Finish<TV, TI>(c00, d0, relu); c01 = Finish<TV, TI>(c01, d1, relu);
            c10 = Finish<TV, TI>(c10, d0, relu); c11 = Finish<TV, TI>(c11, d1, relu);
            c20 = Finish<TV, TI>(c20, d0, relu); c21 = Finish<TV, TI>(c21, d1, relu);
            c30 = Finish<TV, TI>(c30, d0, relu); c31 = Finish<TV, TI>(c31, d1, relu);
            c40 = Finish<TV, TI>(c40, d0, relu); c41 = Finish<TV, TI>(c41, d1, relu);
            c50 = Finish<TV, TI>(c50, d0, relu); c51 = Finish<TV, TI>(c51, d1, relu);
            c60 = Finish<TV, TI>(c60, d0, relu); c61 = Finish<TV, TI>(c61, d1, relu);
            c70 = Finish<TV, TI>(c70, d0, relu); c71 = Finish<TV, TI>(c71, d1, relu);
        }
        TI.Store(c00, c); TI.Store(c01, c + l);
        TI.Store(c10, c + ldc); TI.Store(c11, c + ldc + l);
        TI.Store(c20, c + 2 * ldc); TI.Store(c21, c + 2 * ldc + l);
        TI.Store(c30, c + 3 * ldc); TI.Store(c31, c + 3 * ldc + l);
        TI.Store(c40, c + 4 * ldc); TI.Store(c41, c + 4 * ldc + l);
        TI.Store(c50, c + 5 * ldc); TI.Store(c51, c + 5 * ldc + l);
        TI.Store(c60, c + 6 * ldc); TI.Store(c61, c + 6 * ldc + l);
        TI.Store(c70, c + 7 * ldc); TI.Store(c71, c + 7 * ldc + l);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ReluBackward<TV, TI>(float* y, float* dy, int start, int end) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int i = start, l = TI.Count;
        for (; i + l <= end; i += l) TI.Store(TI.ZeroWhereNotPositive(TI.Load(y + i), TI.Load(dy + i)), dy + i);
        for (; i < end; i++) if (y[i] <= 0) dy[i] = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
