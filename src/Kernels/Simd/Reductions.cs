using System.Runtime.Intrinsics;

namespace GpuSiamese.Kernels.Simd;

/// <summary>Reductions the training step needs (<see cref="Reference.Reductions"/>).</summary>
public static unsafe class Reductions
{
    /// <summary>Σ_k x[k] for k &lt; n.</summary>
    public static float Sum(VectorWidth width, float* x, int n) => width switch
    {
        VectorWidth.V512 => Sum<Vector512<float>, Isa512>(x, n, false),
        VectorWidth.V256 => Sum<Vector256<float>, Isa256>(x, n, false),
        _ => Sum<Vector128<float>, Isa128>(x, n, false),
    };

    /// <summary>Σ_k x[k]² for k &lt; n.</summary>
    public static float SumOfSquares(VectorWidth width, float* x, int n) => width switch
    {
        VectorWidth.V512 => Sum<Vector512<float>, Isa512>(x, n, true),
        VectorWidth.V256 => Sum<Vector256<float>, Isa256>(x, n, true),
        _ => Sum<Vector128<float>, Isa128>(x, n, true),
    };

    static float Sum<TV, TI>(float* x, int n, bool squares) where TV : struct where TI : struct, IVectorIsa<TV>
    {
        // Four independent accumulators hide the add latency and keep each lane's partial sum short.
        int k = 0, l = TI.Count;
        TV s0 = TI.Zero, s1 = TI.Zero, s2 = TI.Zero, s3 = TI.Zero;
        for (; k + 4 * l <= n; k += 4 * l)
        {
            TV x0 = TI.Load(x + k), x1 = TI.Load(x + k + l), x2 = TI.Load(x + k + 2 * l), x3 = TI.Load(x + k + 3 * l);
            if (squares)
            {
                s0 = TI.MulAdd(x0, x0, s0); s1 = TI.MulAdd(x1, x1, s1); s2 = TI.MulAdd(x2, x2, s2); s3 = TI.MulAdd(x3, x3, s3);
            }
            else
            {
                s0 = TI.Add(s0, x0); s1 = TI.Add(s1, x1); s2 = TI.Add(s2, x2); s3 = TI.Add(s3, x3);
            }
        }
        for (; k + l <= n; k += l)
        {
            TV x0 = TI.Load(x + k);
            s0 = squares ? TI.MulAdd(x0, x0, s0) : TI.Add(s0, x0);
        }
        float s = TI.Sum(TI.Add(TI.Add(s0, s1), TI.Add(s2, s3)));
        for (; k < n; k++) s += squares ? x[k] * x[k] : x[k];
        return s;
    }
}
