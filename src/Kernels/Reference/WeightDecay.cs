namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Decoupled weight decay (Loshchilov and Hutter 2019, "Decoupled weight decay regularization"): before an optimizer's
/// update, every parameter shrinks towards zero by the fraction rate = lr·λ, p ← p − rate·p. Applied before Adam's step
/// it makes AdamW, before SGD's SGDW; unlike an L2 term added to the gradient, the shrinking is not rescaled by
/// Adam's or RMSprop's per-parameter denominators.
/// </summary>
public static class WeightDecay
{
    /// <summary>p[k] ← p[k] − rate·p[k] for k &lt; n.</summary>
    public static void Apply(double[] p, int n, double rate)
    {
        for (int k = 0; k < n; k++) p[k] -= rate * p[k];
    }
}
