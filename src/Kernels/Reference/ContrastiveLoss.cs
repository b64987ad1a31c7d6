namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Pair losses defined on distances (label 0 = same digit, 1 = different digits). Forward writes the
/// per-pair loss; backward writes dL/dE of the batch mean, i.e. the per-pair derivative divided by
/// <c>count</c> (the batch size the mean is taken over).
/// </summary>
public static class ContrastiveLoss
{
    /// <summary>Exponent constant of Chopra, Hadsell and LeCun (2005).</summary>
    public const double ExpConstant = 2.77;

    /// <summary>L = (1−Y)·(2/Q)·E² + Y·2Q·exp(−2.77·E/Q).</summary>
    public static void BoundedForward(double[] dist, int[] labels, double[] loss, int count, double q)
    {
        for (int p = 0; p < count; p++)
        {
            double e = dist[p];
            loss[p] = labels[p] == 0 ? 2.0 / q * e * e : 2.0 * q * Math.Exp(-ExpConstant * e / q);
        }
    }

    /// <summary>dL/dE = (1−Y)·(4/Q)·E − Y·2·2.77·exp(−2.77·E/Q), divided by count.</summary>
    public static void BoundedBackward(double[] dist, int[] labels, double[] dDist, int count, double q)
    {
        for (int p = 0; p < count; p++)
        {
            double e = dist[p];
            double g = labels[p] == 0 ? 4.0 / q * e : -2.0 * ExpConstant * Math.Exp(-ExpConstant * e / q);
            dDist[p] = g / count;
        }
    }

    /// <summary>L = (1−Y)·E² + Y·max(m − E, 0)²  (Hadsell, Chopra, LeCun 2006).</summary>
    public static void MarginForward(double[] dist, int[] labels, double[] loss, int count, double margin)
    {
        for (int p = 0; p < count; p++)
        {
            double e = dist[p];
            double h = Math.Max(margin - e, 0.0);
            loss[p] = labels[p] == 0 ? e * e : h * h;
        }
    }

    /// <summary>dL/dE = (1−Y)·2E − Y·2·max(m − E, 0), divided by count.</summary>
    public static void MarginBackward(double[] dist, int[] labels, double[] dDist, int count, double margin)
    {
        for (int p = 0; p < count; p++)
        {
            double e = dist[p];
            double g = labels[p] == 0 ? 2.0 * e : -2.0 * Math.Max(margin - e, 0.0);
            dDist[p] = g / count;
        }
    }
}
