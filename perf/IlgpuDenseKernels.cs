using GpuSiamese.Kernels.Ilgpu;
using ILGPU;

namespace GpuSiamese.Perf;

/// <summary>
/// Numbered versions of the two products that dominate a training step on OpenCL devices (dense forward
/// 196→200 and dense backward weights 196→200), one work-item per unit, as llm.c's dev/cuda keeps them.
/// The versions kept in src/Kernels/Ilgpu/Dense.cs are referred to there; these are the ones tried beside them.
/// </summary>
public static class IlgpuDenseKernels
{
    /// <summary>Forward v1: one output per work-item, Y[r,o] = relu(b[o] + Σ_i X[r,i]·W[i,o]). Units = Rows·OutW.</summary>
    public static void ForwardOne(Index1D unit, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, DenseShape s)
    {
        int r = unit / s.OutW, o = unit % s.OutW;
        float a = b[o];
        for (int i = 0, xi = r * s.InW, wi = o; i < s.InW; i++, wi += s.OutW) a += x[xi + i] * w[wi];
        y[unit] = s.Relu != 0 && a < 0f ? 0f : a;
    }

    /// <summary>Work-items per side of a <see cref="ForwardSharedTiles"/> group (16 x 16 = 256).</summary>
    public const int SharedGroupSide = 16;

    /// <summary>Output rows and columns per <see cref="ForwardSharedTiles"/> group: each work-item computes 2 x 2 of them.</summary>
    public const int SharedTile = 2 * SharedGroupSide;

    /// <summary>Depth of the X and W tiles staged in shared memory per step of <see cref="ForwardSharedTiles"/>.</summary>
    public const int SharedDepth = 16;

    /// <summary>
    /// Forward v6, the GPU textbook shape for large products: a group of 16 x 16 work-items owns a 32 x 32 tile of Y;
    /// per step its 256 work-items stage a 32 x 16 tile of X and a 16 x 32 tile of W in group-shared memory (two
    /// loads each, outside the matrix zero), wait at a barrier, and each adds 16 terms to its 2 x 2 outputs (rows
    /// ty and ty + 16, columns tx and tx + 16, so that neighbouring work-items read neighbouring W columns). Every X
    /// and W element is read from global memory once per 32 outputs that use it, against once per output in v1.
    /// Launched as an explicitly grouped kernel: grid ⌈OutW/32⌉ x ⌈Rows/32⌉, group 16 x 16.
    /// </summary>
    public static void ForwardSharedTiles(ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, DenseShape s)
    {
        var xs = SharedMemory.Allocate<float>(SharedTile * SharedDepth);
        var ws = SharedMemory.Allocate<float>(SharedDepth * SharedTile);
        int tx = Group.IdxX, ty = Group.IdxY, lid = ty * SharedGroupSide + tx;
        int row0 = Grid.IdxY * SharedTile, col0 = Grid.IdxX * SharedTile;
        float a00 = 0f, a01 = 0f, a10 = 0f, a11 = 0f;
        for (int k0 = 0; k0 < s.InW; k0 += SharedDepth)
        {
            for (int e = lid; e < SharedTile * SharedDepth; e += SharedGroupSide * SharedGroupSide)
            {
                int r = row0 + e / SharedDepth, k = k0 + e % SharedDepth;
                xs[e] = r < s.Rows && k < s.InW ? x[r * s.InW + k] : 0f;
                int kw = k0 + e / SharedTile, c = col0 + e % SharedTile;
                ws[e] = kw < s.InW && c < s.OutW ? w[kw * s.OutW + c] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < SharedDepth; kk++)
            {
                float x0 = xs[ty * SharedDepth + kk], x1 = xs[(ty + SharedGroupSide) * SharedDepth + kk];
                float w0 = ws[kk * SharedTile + tx], w1 = ws[kk * SharedTile + tx + SharedGroupSide];
                a00 += x0 * w0; a01 += x0 * w1; a10 += x1 * w0; a11 += x1 * w1;
            }
            Group.Barrier();
        }
        StoreShared(y, b, s, row0 + ty, col0 + tx, a00);
        StoreShared(y, b, s, row0 + ty, col0 + tx + SharedGroupSide, a01);
        StoreShared(y, b, s, row0 + ty + SharedGroupSide, col0 + tx, a10);
        StoreShared(y, b, s, row0 + ty + SharedGroupSide, col0 + tx + SharedGroupSide, a11);
    }

    static void StoreShared(ArrayView<float> y, ArrayView<float> b, DenseShape s, int r, int c, float a)
    {
        if (r >= s.Rows || c >= s.OutW) return;
        a += b[c];
        y[r * s.OutW + c] = s.Relu != 0 && a < 0f ? 0f : a;
    }

    /// <summary>Forward v3: eight rows of one output per work-item (each W element loaded once per 8 rows). Units = ⌈Rows/8⌉·OutW.</summary>
    public static void ForwardRows8(Index1D unit, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, DenseShape s)
    {
        int last = s.Rows - 1, u = unit;
        int r0 = u / s.OutW * 8, o = u % s.OutW;
        int x0 = r0 * s.InW, x1 = Min(r0 + 1, last) * s.InW, x2 = Min(r0 + 2, last) * s.InW, x3 = Min(r0 + 3, last) * s.InW;
        int x4 = Min(r0 + 4, last) * s.InW, x5 = Min(r0 + 5, last) * s.InW, x6 = Min(r0 + 6, last) * s.InW, x7 = Min(r0 + 7, last) * s.InW;
        float bo = b[o];
        float a0 = bo, a1 = bo, a2 = bo, a3 = bo, a4 = bo, a5 = bo, a6 = bo, a7 = bo;
        for (int i = 0, wi = o; i < s.InW; i++, wi += s.OutW)
        {
            float wv = w[wi];
            a0 += x[x0 + i] * wv; a1 += x[x1 + i] * wv; a2 += x[x2 + i] * wv; a3 += x[x3 + i] * wv;
            a4 += x[x4 + i] * wv; a5 += x[x5 + i] * wv; a6 += x[x6 + i] * wv; a7 += x[x7 + i] * wv;
        }
        Store(y, r0, last, s.OutW, o, s.Relu, a0, a1, a2, a3);
        Store(y, r0 + 4, last, s.OutW, o, s.Relu, a4, a5, a6, a7);
    }

    /// <summary>
    /// Forward v5: as v4 with the four outputs as one Float4 accumulator per row and eight rows per
    /// work-item (W loaded once per 8 rows). Units = ⌈Rows/8⌉·OutW/4.
    /// </summary>
    public static void ForwardRows8Out4(Index1D unit, ArrayView<float> x, ArrayView<Float4> w4, ArrayView<float> b, ArrayView<float> y, DenseShape s)
    {
        int out4 = s.OutW / 4, last = s.Rows - 1, u = unit;
        int r0 = u / out4 * 8, c4 = u % out4, o0 = c4 * 4;
        var xs = new Rows8(r0, last, s.InW);
        Float4 bias = new() { X = b[o0], Y = b[o0 + 1], Z = b[o0 + 2], W = b[o0 + 3] };
        Float4 a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias;
        for (int i = 0, wi = c4; i < s.InW; i++, wi += out4)
        {
            Float4 wv = w4[wi];
            Fma(ref a0, x[xs.R0 + i], wv); Fma(ref a1, x[xs.R1 + i], wv); Fma(ref a2, x[xs.R2 + i], wv); Fma(ref a3, x[xs.R3 + i], wv);
            Fma(ref a4, x[xs.R4 + i], wv); Fma(ref a5, x[xs.R5 + i], wv); Fma(ref a6, x[xs.R6 + i], wv); Fma(ref a7, x[xs.R7 + i], wv);
        }
        StoreRow4(y, r0, last, s.OutW, o0, s.Relu, a0); StoreRow4(y, r0 + 1, last, s.OutW, o0, s.Relu, a1);
        StoreRow4(y, r0 + 2, last, s.OutW, o0, s.Relu, a2); StoreRow4(y, r0 + 3, last, s.OutW, o0, s.Relu, a3);
        StoreRow4(y, r0 + 4, last, s.OutW, o0, s.Relu, a4); StoreRow4(y, r0 + 5, last, s.OutW, o0, s.Relu, a5);
        StoreRow4(y, r0 + 6, last, s.OutW, o0, s.Relu, a6); StoreRow4(y, r0 + 7, last, s.OutW, o0, s.Relu, a7);
    }

    /// <summary>Row offsets of eight rows from r0, rows past the last clamped to it (their results are not stored).</summary>
    readonly struct Rows8
    {
        public readonly int R0, R1, R2, R3, R4, R5, R6, R7;

        public Rows8(int r0, int last, int width)
        {
            R0 = Min(r0, last) * width; R1 = Min(r0 + 1, last) * width; R2 = Min(r0 + 2, last) * width; R3 = Min(r0 + 3, last) * width;
            R4 = Min(r0 + 4, last) * width; R5 = Min(r0 + 5, last) * width; R6 = Min(r0 + 6, last) * width; R7 = Min(r0 + 7, last) * width;
        }
    }

    static void Fma(ref Float4 a, float v, Float4 w)
    {
        a.X += v * w.X; a.Y += v * w.Y; a.Z += v * w.Z; a.W += v * w.W;
    }

    static void StoreRow4(ArrayView<float> dst, int r, int last, int width, int o0, int relu, Float4 v)
    {
        if (r <= last) StoreRow(dst, r * width + o0, relu, v.X, v.Y, v.Z, v.W);
    }

    /// <summary>
    /// Backward weights v5: eight inputs x four consecutive outputs per work-item, dY read as Float4; the
    /// first input block also writes db. Units = ⌈InW/8⌉·OutW/4.
    /// </summary>
    public static void BackwardWeightsRows8Out4(Index1D unit, ArrayView<float> x, ArrayView<Float4> dy4, ArrayView<float> dw, ArrayView<float> db, DenseShape s)
    {
        int out4 = s.OutW / 4, lastI = s.InW - 1, u = unit;
        int i0 = u / out4 * 8, c4 = u % out4, o0 = c4 * 4;
        var cols = new Rows8(i0, lastI, 1);
        Float4 a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, sum = default;
        for (int r = 0, xr = 0, dr = c4; r < s.Rows; r++, xr += s.InW, dr += out4)
        {
            Float4 g = dy4[dr];
            Fma(ref a0, x[xr + cols.R0], g); Fma(ref a1, x[xr + cols.R1], g); Fma(ref a2, x[xr + cols.R2], g); Fma(ref a3, x[xr + cols.R3], g);
            Fma(ref a4, x[xr + cols.R4], g); Fma(ref a5, x[xr + cols.R5], g); Fma(ref a6, x[xr + cols.R6], g); Fma(ref a7, x[xr + cols.R7], g);
            Fma(ref sum, 1f, g);
        }
        StoreRow4(dw, i0, lastI, s.OutW, o0, 0, a0); StoreRow4(dw, i0 + 1, lastI, s.OutW, o0, 0, a1);
        StoreRow4(dw, i0 + 2, lastI, s.OutW, o0, 0, a2); StoreRow4(dw, i0 + 3, lastI, s.OutW, o0, 0, a3);
        StoreRow4(dw, i0 + 4, lastI, s.OutW, o0, 0, a4); StoreRow4(dw, i0 + 5, lastI, s.OutW, o0, 0, a5);
        StoreRow4(dw, i0 + 6, lastI, s.OutW, o0, 0, a6); StoreRow4(dw, i0 + 7, lastI, s.OutW, o0, 0, a7);
        if (i0 == 0) StoreRow(db, o0, 0, sum.X, sum.Y, sum.Z, sum.W);
    }

    /// <summary>Backward weights v1: one dW element per work-item, then OutW work-items for db. Units = InW·OutW + OutW.</summary>
    public static void BackwardWeightsOne(Index1D unit, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, DenseShape s)
    {
        int u = unit, weights = s.InW * s.OutW;
        if (u >= weights)
        {
            int ob = u - weights;
            float sum = 0;
            for (int r = 0, dr = ob; r < s.Rows; r++, dr += s.OutW) sum += dy[dr];
            db[ob] = sum;
            return;
        }
        int i = u / s.OutW, o = u % s.OutW;
        float a = 0;
        for (int r = 0, xr = i, dr = o; r < s.Rows; r++, xr += s.InW, dr += s.OutW) a += x[xr] * dy[dr];
        dw[u] = a;
    }

    /// <summary>Backward weights v3: eight inputs of one output per work-item; the last OutW work-items write db. Units = ⌈InW/8⌉·OutW + OutW.</summary>
    public static void BackwardWeightsRows8(Index1D unit, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, DenseShape s)
    {
        int lastI = s.InW - 1, u = unit;
        int weightUnits = (s.InW + 7) / 8 * s.OutW;
        if (u >= weightUnits)
        {
            int ob = u - weightUnits;
            float sum = 0;
            for (int r = 0, dr = ob; r < s.Rows; r++, dr += s.OutW) sum += dy[dr];
            db[ob] = sum;
            return;
        }
        int i0 = u / s.OutW * 8, o = u % s.OutW;
        int i1 = Min(i0 + 1, lastI), i2 = Min(i0 + 2, lastI), i3 = Min(i0 + 3, lastI);
        int i4 = Min(i0 + 4, lastI), i5 = Min(i0 + 5, lastI), i6 = Min(i0 + 6, lastI), i7 = Min(i0 + 7, lastI);
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        for (int r = 0, xr = 0, dr = o; r < s.Rows; r++, xr += s.InW, dr += s.OutW)
        {
            float g = dy[dr];
            a0 += x[xr + i0] * g; a1 += x[xr + i1] * g; a2 += x[xr + i2] * g; a3 += x[xr + i3] * g;
            a4 += x[xr + i4] * g; a5 += x[xr + i5] * g; a6 += x[xr + i6] * g; a7 += x[xr + i7] * g;
        }
        Store(dw, i0, lastI, s.OutW, o, 0, a0, a1, a2, a3);
        Store(dw, i0 + 4, lastI, s.OutW, o, 0, a4, a5, a6, a7);
    }

    static int Min(int a, int b) => a < b ? a : b;

    static float Act(float z, int relu) => relu != 0 && z < 0f ? 0f : z;

    /// <summary>Four rows (from r0) of one column o, those not past <paramref name="last"/>.</summary>
    static void Store(ArrayView<float> dst, int r0, int last, int width, int o, int relu, float v0, float v1, float v2, float v3)
    {
        if (r0 <= last) dst[r0 * width + o] = Act(v0, relu);
        if (r0 + 1 <= last) dst[(r0 + 1) * width + o] = Act(v1, relu);
        if (r0 + 2 <= last) dst[(r0 + 2) * width + o] = Act(v2, relu);
        if (r0 + 3 <= last) dst[(r0 + 3) * width + o] = Act(v3, relu);
    }

    static void StoreRow(ArrayView<float> dst, int at, int relu, float v0, float v1, float v2, float v3)
    {
        dst[at] = Act(v0, relu); dst[at + 1] = Act(v1, relu); dst[at + 2] = Act(v2, relu); dst[at + 3] = Act(v3, relu);
    }
}
