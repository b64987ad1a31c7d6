using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Euclidean distance between the two embeddings of each pair (<see cref="Reference.PairDistance"/>):
/// emb holds 2·pairs rows of width dim, left images first.
/// </summary>
public static unsafe class PairDistance
{
    /// <summary>E[p] = sqrt(max(Σ_k (a_k − b_k)², eps)), a = row p, b = row pairs+p, for start ≤ p &lt; end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(VectorWidth width, float* emb, float* dist, int start, int end, int pairs, int dim, float eps)
    {
        for (int p = start; p < end; p++)
        {
            float s = SquaredDistance(width, emb + (long)p * dim, emb + (long)(pairs + p) * dim, dim);
            dist[p] = MathF.Sqrt(MathF.Max(s, eps));
        }
    }

    /// <summary>
    /// dA_k = dE·(a_k − b_k)/E, dB_k = −dA_k, overwriting dEmb, for start ≤ p &lt; end; zero where the
    /// squared sum is below eps (the clamp is flat there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(VectorWidth width, float* emb, float* dist, float* dDist, float* dEmb,
        int start, int end, int pairs, int dim, float eps)
    {
        for (int p = start; p < end; p++)
        {
            float* a = emb + (long)p * dim, b = emb + (long)(pairs + p) * dim;
            float s = SquaredDistance(width, a, b, dim);
            float scale = s < eps ? 0f : dDist[p] / dist[p];
            float* ga = dEmb + (long)p * dim, gb = dEmb + (long)(pairs + p) * dim;
            switch (width)
            {
                case VectorWidth.V512: ScaledDifference<Vector512<float>, Isa512>(a, b, ga, gb, dim, scale); break;
                case VectorWidth.V256: ScaledDifference<Vector256<float>, Isa256>(a, b, ga, gb, dim, scale); break;
                default: ScaledDifference<Vector128<float>, Isa128>(a, b, ga, gb, dim, scale); break;
            }
        }
    }

    static float SquaredDistance(VectorWidth width, float* a, float* b, int dim) => width switch
    {
        VectorWidth.V512 => SquaredDistance<Vector512<float>, Isa512>(a, b, dim),
        VectorWidth.V256 => SquaredDistance<Vector256<float>, Isa256>(a, b, dim),
        _ => SquaredDistance<Vector128<float>, Isa128>(a, b, dim),
    };

    /// <summary>Σ_k (a_k − b_k)² over <paramref name="dim"/> floats; the triplet loss uses it for both of its distances.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float SquaredDistance<TV, TI>(float* a, float* b, int dim) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int k = 0, l = TI.Count;
        TV acc = TI.Zero;
        for (; k + l <= dim; k += l)
        {
            TV d = TI.Subtract(TI.Load(a + k), TI.Load(b + k));
            acc = TI.MulAdd(d, d, acc);
        }
        float s = TI.Sum(acc);
        for (; k < dim; k++)
        {
            float d = a[k] - b[k];
            s += d * d;
        }
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ScaledDifference<TV, TI>(float* a, float* b, float* ga, float* gb, int dim, float scale)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int k = 0, l = TI.Count;
        TV sv = TI.Broadcast(scale);
        for (; k + l <= dim; k += l)
        {
            TV g = TI.Multiply(sv, TI.Subtract(TI.Load(a + k), TI.Load(b + k)));
            TI.Store(g, ga + k);
            TI.Store(TI.Subtract(TI.Zero, g), gb + k);
        }
        for (; k < dim; k++)
        {
            float g = scale * (a[k] - b[k]);
            ga[k] = g;
            gb[k] = -g;
        }
    }
}
