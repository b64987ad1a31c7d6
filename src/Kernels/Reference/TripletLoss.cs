namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Triplet loss (Schroff et al. 2015, FaceNet) on the Euclidean distance of <see cref="PairDistance"/>. The
/// embedding matrix holds 3·T rows of width dim: rows 0..T-1 are the anchors a, rows T..2T-1 the positives p
/// (same digit as their anchor), rows 2T..3T-1 the negatives n (another digit).
/// </summary>
public static class TripletLoss
{
    /// <summary>
    /// L[t] = max(d(a,p) − d(a,n) + margin, 0) with d(x,y) = sqrt(max(Σ_k (x_k − y_k)², eps)).
    /// </summary>
    public static void Forward(double[] emb, double[] loss, int triplets, int dim, double margin, double eps)
    {
        for (int t = 0; t < triplets; t++)
        {
            double dap = Distance(emb, t, triplets + t, dim, eps, out _);
            double dan = Distance(emb, t, 2 * triplets + t, dim, eps, out _);
            loss[t] = Math.Max(dap - dan + margin, 0.0);
        }
    }

    /// <summary>
    /// dEmb of the batch mean (1/T)·Σ_t L[t], overwriting dEmb. Where the hinge is active (d(a,p) − d(a,n) + margin &gt; 0):
    /// dA = ((a − p)/d(a,p) − (a − n)/d(a,n))/T, dP = −(a − p)/(d(a,p)·T), dN = (a − n)/(d(a,n)·T); a term whose squared
    /// sum is below eps contributes zero (the clamp is flat there). At or below the hinge the triplet's rows get zero.
    /// </summary>
    public static void Backward(double[] emb, double[] dEmb, int triplets, int dim, double margin, double eps)
    {
        for (int t = 0; t < triplets; t++)
        {
            int a = t, p = triplets + t, n = 2 * triplets + t;
            double dap = Distance(emb, a, p, dim, eps, out bool clampP);
            double dan = Distance(emb, a, n, dim, eps, out bool clampN);
            bool active = dap - dan + margin > 0;
            double sp = !active || clampP ? 0.0 : 1.0 / (dap * triplets);
            double sn = !active || clampN ? 0.0 : 1.0 / (dan * triplets);
            for (int k = 0; k < dim; k++)
            {
                double gp = sp * (emb[a * dim + k] - emb[p * dim + k]);
                double gn = sn * (emb[a * dim + k] - emb[n * dim + k]);
                dEmb[a * dim + k] = gp - gn;
                dEmb[p * dim + k] = -gp;
                dEmb[n * dim + k] = gn;
            }
        }
    }

    static double Distance(double[] emb, int x, int y, int dim, double eps, out bool clamped)
    {
        double s = 0;
        for (int k = 0; k < dim; k++)
        {
            double d = emb[x * dim + k] - emb[y * dim + k];
            s += d * d;
        }
        clamped = s < eps;
        return Math.Sqrt(Math.Max(s, eps));
    }
}
