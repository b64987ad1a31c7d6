using System.Runtime.Intrinsics;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Optimizer steps over a flat parameter vector (<see cref="Reference.Optimizers"/>), each on the elements
/// start ≤ k &lt; end so that a backend can split them. Every step first scales the gradient by gradScale.
/// </summary>
public static unsafe class Optimizers
{
    /// <summary>
    /// Adam with bias correction at step t ≥ 1: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
    /// p −= lr·(m/(1−β1ᵗ)) / (sqrt(v/(1−β2ᵗ)) + eps).
    /// </summary>
    public static void Adam(VectorWidth width, float* p, float* g, float* m, float* v, int start, int end,
        float lr, float beta1, float beta2, float eps, int t, float gradScale)
    {
        // The corrections in double, as the reference, then folded into two factors.
        float step = (float)(lr / (1 - Math.Pow(beta1, t)));
        float invC2 = (float)(1 / (1 - Math.Pow(beta2, t)));
        var a = new AdamFactors(beta1, beta2, eps, step, invC2, gradScale);
        switch (width)
        {
            case VectorWidth.V512: Adam<Vector512<float>, Isa512>(p, g, m, v, start, end, a); break;
            case VectorWidth.V256: Adam<Vector256<float>, Isa256>(p, g, m, v, start, end, a); break;
            default: Adam<Vector128<float>, Isa128>(p, g, m, v, start, end, a); break;
        }
    }

    /// <summary>RMSprop: s = ρ·s + (1−ρ)·g²; p −= lr·g / (sqrt(s) + eps).</summary>
    public static void RmsProp(VectorWidth width, float* p, float* g, float* s, int start, int end,
        float lr, float rho, float eps, float gradScale)
    {
        switch (width)
        {
            case VectorWidth.V512: RmsProp<Vector512<float>, Isa512>(p, g, s, start, end, lr, rho, eps, gradScale); break;
            case VectorWidth.V256: RmsProp<Vector256<float>, Isa256>(p, g, s, start, end, lr, rho, eps, gradScale); break;
            default: RmsProp<Vector128<float>, Isa128>(p, g, s, start, end, lr, rho, eps, gradScale); break;
        }
    }

    /// <summary>SGD with momentum μ: u = μ·u + g; p −= lr·u, or with Nesterov p −= lr·(g + μ·u).</summary>
    public static void Sgd(VectorWidth width, float* p, float* g, float* u, int start, int end,
        float lr, float momentum, bool nesterov, float gradScale)
    {
        switch (width)
        {
            case VectorWidth.V512: Sgd<Vector512<float>, Isa512>(p, g, u, start, end, lr, momentum, nesterov, gradScale); break;
            case VectorWidth.V256: Sgd<Vector256<float>, Isa256>(p, g, u, start, end, lr, momentum, nesterov, gradScale); break;
            default: Sgd<Vector128<float>, Isa128>(p, g, u, start, end, lr, momentum, nesterov, gradScale); break;
        }
    }

    readonly record struct AdamFactors(float Beta1, float Beta2, float Eps, float Step, float InvC2, float GradScale);

    static void Adam<TV, TI>(float* p, float* g, float* m, float* v, int start, int end, AdamFactors a)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int k = start, l = TI.Count;
        TV b1 = TI.Broadcast(a.Beta1), b1c = TI.Broadcast(1 - a.Beta1), b2 = TI.Broadcast(a.Beta2), b2c = TI.Broadcast(1 - a.Beta2);
        TV eps = TI.Broadcast(a.Eps), step = TI.Broadcast(a.Step), invC2 = TI.Broadcast(a.InvC2), scale = TI.Broadcast(a.GradScale);
        for (; k + l <= end; k += l)
        {
            TV gk = TI.Multiply(TI.Load(g + k), scale);
            TV mk = TI.MulAdd(b1, TI.Load(m + k), TI.Multiply(b1c, gk));
            TV vk = TI.MulAdd(b2, TI.Load(v + k), TI.Multiply(b2c, TI.Multiply(gk, gk)));
            TI.Store(mk, m + k);
            TI.Store(vk, v + k);
            TV denom = TI.Add(TI.Sqrt(TI.Multiply(vk, invC2)), eps);
            TI.Store(TI.Subtract(TI.Load(p + k), TI.Divide(TI.Multiply(step, mk), denom)), p + k);
        }
        for (; k < end; k++)
        {
            float gk = g[k] * a.GradScale;
            m[k] = a.Beta1 * m[k] + (1 - a.Beta1) * gk;
            v[k] = a.Beta2 * v[k] + (1 - a.Beta2) * gk * gk;
            p[k] -= a.Step * m[k] / (MathF.Sqrt(v[k] * a.InvC2) + a.Eps);
        }
    }

    static void RmsProp<TV, TI>(float* p, float* g, float* s, int start, int end, float lr, float rho, float eps, float gradScale)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int k = start, l = TI.Count;
        TV r = TI.Broadcast(rho), rc = TI.Broadcast(1 - rho), e = TI.Broadcast(eps), lv = TI.Broadcast(lr), sc = TI.Broadcast(gradScale);
        for (; k + l <= end; k += l)
        {
            TV gk = TI.Multiply(TI.Load(g + k), sc);
            TV sk = TI.MulAdd(r, TI.Load(s + k), TI.Multiply(rc, TI.Multiply(gk, gk)));
            TI.Store(sk, s + k);
            TI.Store(TI.Subtract(TI.Load(p + k), TI.Divide(TI.Multiply(lv, gk), TI.Add(TI.Sqrt(sk), e))), p + k);
        }
        for (; k < end; k++)
        {
            float gk = g[k] * gradScale;
            s[k] = rho * s[k] + (1 - rho) * gk * gk;
            p[k] -= lr * gk / (MathF.Sqrt(s[k]) + eps);
        }
    }

    static void Sgd<TV, TI>(float* p, float* g, float* u, int start, int end, float lr, float momentum, bool nesterov, float gradScale)
        where TV : struct where TI : struct, IVectorIsa<TV>
    {
        int k = start, l = TI.Count;
        TV mu = TI.Broadcast(momentum), lv = TI.Broadcast(lr), sc = TI.Broadcast(gradScale);
        for (; k + l <= end; k += l)
        {
            TV gk = TI.Multiply(TI.Load(g + k), sc);
            TV uk = TI.MulAdd(mu, TI.Load(u + k), gk);
            TI.Store(uk, u + k);
            TV d = nesterov ? TI.MulAdd(mu, uk, gk) : uk;
            TI.Store(TI.Subtract(TI.Load(p + k), TI.Multiply(lv, d)), p + k);
        }
        for (; k < end; k++)
        {
            float gk = g[k] * gradScale;
            u[k] = momentum * u[k] + gk;
            p[k] -= lr * (nesterov ? gk + momentum * u[k] : u[k]);
        }
    }
}
