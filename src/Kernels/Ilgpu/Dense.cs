using ILGPU;

namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>Shape of a dense-layer launch: X [Rows, InW], W [InW, OutW], Y [Rows, OutW], and the work split.</summary>
public readonly struct DenseShape
{
    public readonly int Rows, InW, OutW;
    /// <summary>1 = ReLU after the bias, 0 = identity.</summary>
    public readonly int Relu;
    public readonly WorkSplit Work;

    public DenseShape(int rows, int inW, int outW, int relu, WorkSplit work)
    {
        Rows = rows; InW = inW; OutW = outW; Relu = relu; Work = work;
    }
}

/// <summary>
/// Dense layer kernels (twins of <see cref="Reference.Dense"/>, same layouts, outputs overwritten).
/// Two work shapes of each pass: <c>*Tile4x4</c> gives a thread a 4x4 register tile of outputs, so that
/// every loaded element is used four times (ILGPU's CPU accelerator pays per view access, not per flop);
/// <c>*Vec4</c> variants of those read four floats per access where the widths are multiples of 4
/// (about 2x faster there, measured); <c>*Rows4</c> gives a work-item four rows of one output column,
/// so that neighbouring work-items read neighbouring addresses (GPUs, and PoCL, which vectorises across work-items); it is launched with one
/// work-item per unit and has no loop over units, which PoCL's vectoriser handles 1.3–1.7x faster.
/// Edge tiles read clamped rows/columns and store only the valid ones, keeping the inner loop branch-free.
/// </summary>
public static class Dense
{
    /// <summary>Tiles of 4 rows x 4 outputs: Y[r,o] = act(b[o] + Σ_i X[r,i]·W[i,o]). Units = ⌈Rows/4⌉·⌈OutW/4⌉.</summary>
    public static void ForwardTile4x4(Index1D thread, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b,
        ArrayView<float> y, DenseShape s)
    {
        int tilesO = (s.OutW + 3) / 4;
        int last = s.Rows - 1, lastO = s.OutW - 1;
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++)
        {
            int r0 = u / tilesO * 4, o0 = u % tilesO * 4;
            int x0 = r0 * s.InW, x1 = Min(r0 + 1, last) * s.InW, x2 = Min(r0 + 2, last) * s.InW, x3 = Min(r0 + 3, last) * s.InW;
            int c0 = o0, c1 = Min(o0 + 1, lastO), c2 = Min(o0 + 2, lastO), c3 = Min(o0 + 3, lastO);
            float b0 = b[c0], b1 = b[c1], b2 = b[c2], b3 = b[c3];
            float a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
            float a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
            for (int i = 0, wi = 0; i < s.InW; i++, wi += s.OutW)
            {
                float v0 = x[x0 + i], v1 = x[x1 + i], v2 = x[x2 + i], v3 = x[x3 + i];
                float w0 = w[wi + c0], w1 = w[wi + c1], w2 = w[wi + c2], w3 = w[wi + c3];
                a00 += v0 * w0; a01 += v0 * w1; a02 += v0 * w2; a03 += v0 * w3;
                a10 += v1 * w0; a11 += v1 * w1; a12 += v1 * w2; a13 += v1 * w3;
                a20 += v2 * w0; a21 += v2 * w1; a22 += v2 * w2; a23 += v2 * w3;
                a30 += v3 * w0; a31 += v3 * w1; a32 += v3 * w2; a33 += v3 * w3;
            }
            int validO = Min(4, s.OutW - o0);
            StoreRow(y, r0 * s.OutW + o0, validO, s.Relu, a00, a01, a02, a03);
            if (r0 + 1 <= last) StoreRow(y, (r0 + 1) * s.OutW + o0, validO, s.Relu, a10, a11, a12, a13);
            if (r0 + 2 <= last) StoreRow(y, (r0 + 2) * s.OutW + o0, validO, s.Relu, a20, a21, a22, a23);
            if (r0 + 3 <= last) StoreRow(y, (r0 + 3) * s.OutW + o0, validO, s.Relu, a30, a31, a32, a33);
        }
    }

    /// <summary>
    /// As <see cref="ForwardTile4x4"/>, reading X and W four floats per access through Float4 views of the
    /// same memory (x4 = X, w4 = W). Needs InW and OutW multiples of 4 and both views starting at a
    /// multiple of 4 floats. Units = ⌈Rows/4⌉·OutW/4.
    /// </summary>
    public static void ForwardTile4x4Vec4(Index1D thread, ArrayView<Float4> x4, ArrayView<Float4> w4, ArrayView<float> b,
        ArrayView<float> y, DenseShape s)
    {
        int in4 = s.InW / 4, out4 = s.OutW / 4;
        int last = s.Rows - 1;
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++)
        {
            int r0 = u / out4 * 4, c4 = u % out4, o0 = c4 * 4;
            int x0 = r0 * in4, x1 = Min(r0 + 1, last) * in4, x2 = Min(r0 + 2, last) * in4, x3 = Min(r0 + 3, last) * in4;
            float b0 = b[o0], b1 = b[o0 + 1], b2 = b[o0 + 2], b3 = b[o0 + 3];
            float a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
            float a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
            for (int i4 = 0, wi = c4; i4 < in4; i4++, wi += 4 * out4)
            {
                Float4 v0 = x4[x0 + i4], v1 = x4[x1 + i4], v2 = x4[x2 + i4], v3 = x4[x3 + i4];
                Float4 w0 = w4[wi], w1 = w4[wi + out4], w2 = w4[wi + 2 * out4], w3 = w4[wi + 3 * out4];
                a00 += v0.X * w0.X + v0.Y * w1.X + v0.Z * w2.X + v0.W * w3.X;
                a01 += v0.X * w0.Y + v0.Y * w1.Y + v0.Z * w2.Y + v0.W * w3.Y;
                a02 += v0.X * w0.Z + v0.Y * w1.Z + v0.Z * w2.Z + v0.W * w3.Z;
                a03 += v0.X * w0.W + v0.Y * w1.W + v0.Z * w2.W + v0.W * w3.W;
                a10 += v1.X * w0.X + v1.Y * w1.X + v1.Z * w2.X + v1.W * w3.X;
                a11 += v1.X * w0.Y + v1.Y * w1.Y + v1.Z * w2.Y + v1.W * w3.Y;
                a12 += v1.X * w0.Z + v1.Y * w1.Z + v1.Z * w2.Z + v1.W * w3.Z;
                a13 += v1.X * w0.W + v1.Y * w1.W + v1.Z * w2.W + v1.W * w3.W;
                a20 += v2.X * w0.X + v2.Y * w1.X + v2.Z * w2.X + v2.W * w3.X;
                a21 += v2.X * w0.Y + v2.Y * w1.Y + v2.Z * w2.Y + v2.W * w3.Y;
                a22 += v2.X * w0.Z + v2.Y * w1.Z + v2.Z * w2.Z + v2.W * w3.Z;
                a23 += v2.X * w0.W + v2.Y * w1.W + v2.Z * w2.W + v2.W * w3.W;
                a30 += v3.X * w0.X + v3.Y * w1.X + v3.Z * w2.X + v3.W * w3.X;
                a31 += v3.X * w0.Y + v3.Y * w1.Y + v3.Z * w2.Y + v3.W * w3.Y;
                a32 += v3.X * w0.Z + v3.Y * w1.Z + v3.Z * w2.Z + v3.W * w3.Z;
                a33 += v3.X * w0.W + v3.Y * w1.W + v3.Z * w2.W + v3.W * w3.W;
            }
            StoreRow(y, r0 * s.OutW + o0, 4, s.Relu, a00, a01, a02, a03);
            if (r0 + 1 <= last) StoreRow(y, (r0 + 1) * s.OutW + o0, 4, s.Relu, a10, a11, a12, a13);
            if (r0 + 2 <= last) StoreRow(y, (r0 + 2) * s.OutW + o0, 4, s.Relu, a20, a21, a22, a23);
            if (r0 + 3 <= last) StoreRow(y, (r0 + 3) * s.OutW + o0, 4, s.Relu, a30, a31, a32, a33);
        }
    }

    /// <summary>Four rows of one output per work-item: Y[r,o] = act(b[o] + Σ_i X[r,i]·W[i,o]). Units = ⌈Rows/4⌉·OutW.</summary>
    public static void ForwardRows4(Index1D unit, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b,
        ArrayView<float> y, DenseShape s)
    {
        int last = s.Rows - 1, u = unit;
        int r0 = u / s.OutW * 4, o = u % s.OutW;
        int x0 = r0 * s.InW, x1 = Min(r0 + 1, last) * s.InW, x2 = Min(r0 + 2, last) * s.InW, x3 = Min(r0 + 3, last) * s.InW;
        float bo = b[o];
        float a0 = bo, a1 = bo, a2 = bo, a3 = bo;
        for (int i = 0, wi = o; i < s.InW; i++, wi += s.OutW)
        {
            float wv = w[wi];
            a0 += x[x0 + i] * wv; a1 += x[x1 + i] * wv; a2 += x[x2 + i] * wv; a3 += x[x3 + i] * wv;
        }
        y[r0 * s.OutW + o] = Act(a0, s.Relu);
        if (r0 + 1 <= last) y[(r0 + 1) * s.OutW + o] = Act(a1, s.Relu);
        if (r0 + 2 <= last) y[(r0 + 2) * s.OutW + o] = Act(a2, s.Relu);
        if (r0 + 3 <= last) y[(r0 + 3) * s.OutW + o] = Act(a3, s.Relu);
    }

    /// <summary>
    /// Four rows x four consecutive outputs per work-item, W read as Float4 (w4 = W): Y[r,o] = act(b[o] +
    /// Σ_i X[r,i]·W[i,o]). Consecutive work-items read consecutive Float4s of a W row; on PoCL 5–9x faster
    /// than <see cref="ForwardRows4"/> at 128x196→200 (perf/IlgpuDenseVersions, v4). Needs OutW a multiple
    /// of 4 and W's view starting at a multiple of 4 floats. Units = ⌈Rows/4⌉·OutW/4.
    /// </summary>
    public static void ForwardRows4Out4(Index1D unit, ArrayView<float> x, ArrayView<Float4> w4, ArrayView<float> b,
        ArrayView<float> y, DenseShape s)
    {
        int out4 = s.OutW / 4, last = s.Rows - 1, u = unit;
        int r0 = u / out4 * 4, c4 = u % out4, o0 = c4 * 4;
        int x0 = r0 * s.InW, x1 = Min(r0 + 1, last) * s.InW, x2 = Min(r0 + 2, last) * s.InW, x3 = Min(r0 + 3, last) * s.InW;
        float b0 = b[o0], b1 = b[o0 + 1], b2 = b[o0 + 2], b3 = b[o0 + 3];
        float a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        float a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        for (int i = 0, wi = c4; i < s.InW; i++, wi += out4)
        {
            Float4 wv = w4[wi];
            float v0 = x[x0 + i], v1 = x[x1 + i], v2 = x[x2 + i], v3 = x[x3 + i];
            a00 += v0 * wv.X; a01 += v0 * wv.Y; a02 += v0 * wv.Z; a03 += v0 * wv.W;
            a10 += v1 * wv.X; a11 += v1 * wv.Y; a12 += v1 * wv.Z; a13 += v1 * wv.W;
            a20 += v2 * wv.X; a21 += v2 * wv.Y; a22 += v2 * wv.Z; a23 += v2 * wv.W;
            a30 += v3 * wv.X; a31 += v3 * wv.Y; a32 += v3 * wv.Z; a33 += v3 * wv.W;
        }
        StoreRow(y, r0 * s.OutW + o0, 4, s.Relu, a00, a01, a02, a03);
        if (r0 + 1 <= last) StoreRow(y, (r0 + 1) * s.OutW + o0, 4, s.Relu, a10, a11, a12, a13);
        if (r0 + 2 <= last) StoreRow(y, (r0 + 2) * s.OutW + o0, 4, s.Relu, a20, a21, a22, a23);
        if (r0 + 3 <= last) StoreRow(y, (r0 + 3) * s.OutW + o0, 4, s.Relu, a30, a31, a32, a33);
    }

    /// <summary>In place: dY[k] = Y[k] &gt; 0 ? dY[k] : 0 (ReLU'); a block of elements per thread.</summary>
    public static void ReluBackwardBlocked(Index1D thread, ArrayView<float> y, ArrayView<float> dy, WorkSplit work)
    {
        for (int k = work.Begin(thread), end = work.End(thread); k < end; k++) ReluBackwardAt(k, y, dy);
    }

    /// <summary>In place: dY[k] = Y[k] &gt; 0 ? dY[k] : 0 (ReLU'); one element per work-item.</summary>
    public static void ReluBackward(Index1D k, ArrayView<float> y, ArrayView<float> dy, WorkSplit work) => ReluBackwardAt(k, y, dy);

    static void ReluBackwardAt(int k, ArrayView<float> y, ArrayView<float> dy)
    {
        if (y[k] <= 0f) dy[k] = 0f;
    }

    /// <summary>Tiles of 4 rows x 4 inputs: dX[r,i] = Σ_o dY[r,o]·W[i,o]. Units = ⌈Rows/4⌉·⌈InW/4⌉.</summary>
    public static void BackwardDataTile4x4(Index1D thread, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, DenseShape s)
    {
        int tilesI = (s.InW + 3) / 4;
        int last = s.Rows - 1, lastI = s.InW - 1;
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++)
        {
            int r0 = u / tilesI * 4, i0 = u % tilesI * 4;
            int d0 = r0 * s.OutW, d1 = Min(r0 + 1, last) * s.OutW, d2 = Min(r0 + 2, last) * s.OutW, d3 = Min(r0 + 3, last) * s.OutW;
            int w0 = i0 * s.OutW, w1 = Min(i0 + 1, lastI) * s.OutW, w2 = Min(i0 + 2, lastI) * s.OutW, w3 = Min(i0 + 3, lastI) * s.OutW;
            float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
            float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
            for (int o = 0; o < s.OutW; o++)
            {
                float g0 = dy[d0 + o], g1 = dy[d1 + o], g2 = dy[d2 + o], g3 = dy[d3 + o];
                float v0 = w[w0 + o], v1 = w[w1 + o], v2 = w[w2 + o], v3 = w[w3 + o];
                a00 += g0 * v0; a01 += g0 * v1; a02 += g0 * v2; a03 += g0 * v3;
                a10 += g1 * v0; a11 += g1 * v1; a12 += g1 * v2; a13 += g1 * v3;
                a20 += g2 * v0; a21 += g2 * v1; a22 += g2 * v2; a23 += g2 * v3;
                a30 += g3 * v0; a31 += g3 * v1; a32 += g3 * v2; a33 += g3 * v3;
            }
            int validI = Min(4, s.InW - i0);
            StoreRow(dx, r0 * s.InW + i0, validI, 0, a00, a01, a02, a03);
            if (r0 + 1 <= last) StoreRow(dx, (r0 + 1) * s.InW + i0, validI, 0, a10, a11, a12, a13);
            if (r0 + 2 <= last) StoreRow(dx, (r0 + 2) * s.InW + i0, validI, 0, a20, a21, a22, a23);
            if (r0 + 3 <= last) StoreRow(dx, (r0 + 3) * s.InW + i0, validI, 0, a30, a31, a32, a33);
        }
    }

    /// <summary>Four rows of one input column per work-item: dX[r,i] = Σ_o dY[r,o]·W[i,o]. Units = ⌈Rows/4⌉·InW.</summary>
    public static void BackwardDataRows4(Index1D unit, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, DenseShape s)
    {
        int last = s.Rows - 1, u = unit;
        int r0 = u / s.InW * 4, i = u % s.InW;
        int d0 = r0 * s.OutW, d1 = Min(r0 + 1, last) * s.OutW, d2 = Min(r0 + 2, last) * s.OutW, d3 = Min(r0 + 3, last) * s.OutW;
        int wi = i * s.OutW;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int o = 0; o < s.OutW; o++)
        {
            float wv = w[wi + o];
            a0 += dy[d0 + o] * wv; a1 += dy[d1 + o] * wv; a2 += dy[d2 + o] * wv; a3 += dy[d3 + o] * wv;
        }
        dx[r0 * s.InW + i] = a0;
        if (r0 + 1 <= last) dx[(r0 + 1) * s.InW + i] = a1;
        if (r0 + 2 <= last) dx[(r0 + 2) * s.InW + i] = a2;
        if (r0 + 3 <= last) dx[(r0 + 3) * s.InW + i] = a3;
    }

    /// <summary>
    /// Tiles of 4 inputs x 4 outputs: dW[i,o] = Σ_r X[r,i]·dY[r,o]; the tiles of the first input block
    /// also write db[o] = Σ_r dY[r,o] from the dY values they already load. Units = ⌈InW/4⌉·⌈OutW/4⌉.
    /// </summary>
    public static void BackwardWeightsTile4x4(Index1D thread, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw,
        ArrayView<float> db, DenseShape s)
    {
        int tilesO = (s.OutW + 3) / 4;
        int lastI = s.InW - 1, lastO = s.OutW - 1;
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++)
        {
            int i0 = u / tilesO * 4, o0 = u % tilesO * 4;
            int i1 = Min(i0 + 1, lastI), i2 = Min(i0 + 2, lastI), i3 = Min(i0 + 3, lastI);
            int c1 = Min(o0 + 1, lastO), c2 = Min(o0 + 2, lastO), c3 = Min(o0 + 3, lastO);
            float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
            float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int r = 0, xr = 0, dr = 0; r < s.Rows; r++, xr += s.InW, dr += s.OutW)
            {
                float v0 = x[xr + i0], v1 = x[xr + i1], v2 = x[xr + i2], v3 = x[xr + i3];
                float g0 = dy[dr + o0], g1 = dy[dr + c1], g2 = dy[dr + c2], g3 = dy[dr + c3];
                a00 += v0 * g0; a01 += v0 * g1; a02 += v0 * g2; a03 += v0 * g3;
                a10 += v1 * g0; a11 += v1 * g1; a12 += v1 * g2; a13 += v1 * g3;
                a20 += v2 * g0; a21 += v2 * g1; a22 += v2 * g2; a23 += v2 * g3;
                a30 += v3 * g0; a31 += v3 * g1; a32 += v3 * g2; a33 += v3 * g3;
                s0 += g0; s1 += g1; s2 += g2; s3 += g3;
            }
            int validO = Min(4, s.OutW - o0);
            StoreRow(dw, i0 * s.OutW + o0, validO, 0, a00, a01, a02, a03);
            if (i0 + 1 <= lastI) StoreRow(dw, (i0 + 1) * s.OutW + o0, validO, 0, a10, a11, a12, a13);
            if (i0 + 2 <= lastI) StoreRow(dw, (i0 + 2) * s.OutW + o0, validO, 0, a20, a21, a22, a23);
            if (i0 + 3 <= lastI) StoreRow(dw, (i0 + 3) * s.OutW + o0, validO, 0, a30, a31, a32, a33);
            if (i0 == 0) StoreRow(db, o0, validO, 0, s0, s1, s2, s3);
        }
    }

    /// <summary>
    /// As <see cref="BackwardWeightsTile4x4"/> (db included), reading X and dY four floats per access through
    /// Float4 views (x4 = X, dy4 = dY). Needs InW and OutW multiples of 4 and both views starting at a
    /// multiple of 4 floats. Units = InW/4 · OutW/4.
    /// </summary>
    public static void BackwardWeightsTile4x4Vec4(Index1D thread, ArrayView<Float4> x4, ArrayView<Float4> dy4, ArrayView<float> dw,
        ArrayView<float> db, DenseShape s)
    {
        int in4 = s.InW / 4, out4 = s.OutW / 4;
        for (int u = s.Work.Begin(thread), end = s.Work.End(thread); u < end; u++)
        {
            int i4 = u / out4, c4 = u % out4, i0 = i4 * 4, o0 = c4 * 4;
            float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
            float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int r = 0, xr = i4, dr = c4; r < s.Rows; r++, xr += in4, dr += out4)
            {
                Float4 v = x4[xr], g = dy4[dr];
                a00 += v.X * g.X; a01 += v.X * g.Y; a02 += v.X * g.Z; a03 += v.X * g.W;
                a10 += v.Y * g.X; a11 += v.Y * g.Y; a12 += v.Y * g.Z; a13 += v.Y * g.W;
                a20 += v.Z * g.X; a21 += v.Z * g.Y; a22 += v.Z * g.Z; a23 += v.Z * g.W;
                a30 += v.W * g.X; a31 += v.W * g.Y; a32 += v.W * g.Z; a33 += v.W * g.W;
                s0 += g.X; s1 += g.Y; s2 += g.Z; s3 += g.W;
            }
            StoreRow(dw, i0 * s.OutW + o0, 4, 0, a00, a01, a02, a03);
            StoreRow(dw, (i0 + 1) * s.OutW + o0, 4, 0, a10, a11, a12, a13);
            StoreRow(dw, (i0 + 2) * s.OutW + o0, 4, 0, a20, a21, a22, a23);
            StoreRow(dw, (i0 + 3) * s.OutW + o0, 4, 0, a30, a31, a32, a33);
            if (i0 == 0) StoreRow(db, o0, 4, 0, s0, s1, s2, s3);
        }
    }

    /// <summary>
    /// Four inputs of one output column per work-item: dW[i,o] = Σ_r X[r,i]·dY[r,o]; the last OutW units
    /// write db[o] = Σ_r dY[r,o] (one launch for both). Units = ⌈InW/4⌉·OutW + OutW.
    /// </summary>
    public static void BackwardWeightsRows4(Index1D unit, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw,
        ArrayView<float> db, DenseShape s)
    {
        int lastI = s.InW - 1, u = unit;
        int weightUnits = (s.InW + 3) / 4 * s.OutW;
        if (u >= weightUnits)
        {
            int ob = u - weightUnits;
            float sum = 0;
            for (int r = 0, dr = ob; r < s.Rows; r++, dr += s.OutW) sum += dy[dr];
            db[ob] = sum;
            return;
        }
        int i0 = u / s.OutW * 4, o = u % s.OutW;
        int i1 = Min(i0 + 1, lastI), i2 = Min(i0 + 2, lastI), i3 = Min(i0 + 3, lastI);
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int r = 0, xr = 0, dr = o; r < s.Rows; r++, xr += s.InW, dr += s.OutW)
        {
            float g = dy[dr];
            a0 += x[xr + i0] * g; a1 += x[xr + i1] * g; a2 += x[xr + i2] * g; a3 += x[xr + i3] * g;
        }
        dw[i0 * s.OutW + o] = a0;
        if (i0 + 1 <= lastI) dw[(i0 + 1) * s.OutW + o] = a1;
        if (i0 + 2 <= lastI) dw[(i0 + 2) * s.OutW + o] = a2;
        if (i0 + 3 <= lastI) dw[(i0 + 3) * s.OutW + o] = a3;
    }

    /// <summary>
    /// Four inputs x four consecutive outputs per work-item, dY read as Float4 (dy4 = dY): dW[i,o] =
    /// Σ_r X[r,i]·dY[r,o]; the first input block also writes db[o] = Σ_r dY[r,o]. On PoCL about 9x faster
    /// than <see cref="BackwardWeightsRows4"/> at 128x196→200 (perf/IlgpuDenseVersions, v4). Needs OutW a
    /// multiple of 4 and dY's view starting at a multiple of 4 floats. Units = ⌈InW/4⌉·OutW/4.
    /// </summary>
    public static void BackwardWeightsRows4Out4(Index1D unit, ArrayView<float> x, ArrayView<Float4> dy4, ArrayView<float> dw,
        ArrayView<float> db, DenseShape s)
    {
        int out4 = s.OutW / 4, lastI = s.InW - 1, u = unit;
        int i0 = u / out4 * 4, c4 = u % out4, o0 = c4 * 4;
        int i1 = Min(i0 + 1, lastI), i2 = Min(i0 + 2, lastI), i3 = Min(i0 + 3, lastI);
        float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
        float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int r = 0, xr = 0, dr = c4; r < s.Rows; r++, xr += s.InW, dr += out4)
        {
            Float4 g = dy4[dr];
            float v0 = x[xr + i0], v1 = x[xr + i1], v2 = x[xr + i2], v3 = x[xr + i3];
            a00 += v0 * g.X; a01 += v0 * g.Y; a02 += v0 * g.Z; a03 += v0 * g.W;
            a10 += v1 * g.X; a11 += v1 * g.Y; a12 += v1 * g.Z; a13 += v1 * g.W;
            a20 += v2 * g.X; a21 += v2 * g.Y; a22 += v2 * g.Z; a23 += v2 * g.W;
            a30 += v3 * g.X; a31 += v3 * g.Y; a32 += v3 * g.Z; a33 += v3 * g.W;
            s0 += g.X; s1 += g.Y; s2 += g.Z; s3 += g.W;
        }
        StoreRow(dw, i0 * s.OutW + o0, 4, 0, a00, a01, a02, a03);
        if (i0 + 1 <= lastI) StoreRow(dw, (i0 + 1) * s.OutW + o0, 4, 0, a10, a11, a12, a13);
        if (i0 + 2 <= lastI) StoreRow(dw, (i0 + 2) * s.OutW + o0, 4, 0, a20, a21, a22, a23);
        if (i0 + 3 <= lastI) StoreRow(dw, (i0 + 3) * s.OutW + o0, 4, 0, a30, a31, a32, a33);
        if (i0 == 0) StoreRow(db, o0, 4, 0, s0, s1, s2, s3);
    }

    static int Min(int a, int b) => a < b ? a : b;

    static float Act(float z, int relu) => relu != 0 && z < 0f ? 0f : z;

    static void StoreRow(ArrayView<float> dst, int at, int valid, int relu, float v0, float v1, float v2, float v3)
    {
        dst[at] = Act(v0, relu);
        if (valid > 1) dst[at + 1] = Act(v1, relu);
        if (valid > 2) dst[at + 2] = Act(v2, relu);
        if (valid > 3) dst[at + 3] = Act(v3, relu);
    }
}

/// <summary>
/// The dense kernels a plan launches: blocked 4x4 tiles (with their Float4 twins) or four rows per work-item (with the
/// Float4-output twins); which of them one launch takes is <see cref="KernelVariants.DenseForward"/> and its siblings.
/// </summary>
public sealed record DenseKernels(
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape> Forward,
    Action<Index1D, ArrayView<Float4>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>? ForwardVec4,
    Action<Index1D, ArrayView<float>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>? ForwardOut4,
    Action<Index1D, ArrayView<float>, ArrayView<float>, WorkSplit> ReluBackward,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape> BackwardData,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, DenseShape> BackwardWeights,
    Action<Index1D, ArrayView<Float4>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>? BackwardWeightsVec4,
    Action<Index1D, ArrayView<float>, ArrayView<Float4>, ArrayView<float>, ArrayView<float>, DenseShape>? BackwardWeightsOut4) : IKernelFamily
{
    public static DenseKernels For(KernelPlan p) => p.Units == UnitMapping.Blocked
        ? new(Dense.ForwardTile4x4, Dense.ForwardTile4x4Vec4, null, Dense.ReluBackwardBlocked, Dense.BackwardDataTile4x4,
            Dense.BackwardWeightsTile4x4, Dense.BackwardWeightsTile4x4Vec4, null)
        : new(Dense.ForwardRows4, null, Dense.ForwardRows4Out4, Dense.ReluBackward, Dense.BackwardDataRows4,
            Dense.BackwardWeightsRows4, null, Dense.BackwardWeightsRows4Out4);

    public IEnumerable<Delegate?> Kernels =>
        [Forward, ForwardVec4, ForwardOut4, ReluBackward, BackwardData, BackwardWeights, BackwardWeightsVec4, BackwardWeightsOut4];

    public IKernelFamily Load(IKernelLoader l) => new DenseKernels(l.Load(Forward), (ForwardVec4 is null ? null : l.Load(ForwardVec4)),
        (ForwardOut4 is null ? null : l.Load(ForwardOut4)), l.Load(ReluBackward), l.Load(BackwardData), l.Load(BackwardWeights),
        (BackwardWeightsVec4 is null ? null : l.Load(BackwardWeightsVec4)), (BackwardWeightsOut4 is null ? null : l.Load(BackwardWeightsOut4)));
}
