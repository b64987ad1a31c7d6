namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Pair losses on distances (<see cref="Reference.ContrastiveLoss"/>; label 0 = same, 1 = different).
/// One value per pair of a batch of 64: scalar code, since exp on vectors would save well under a
/// microsecond here and its accuracy would have to be argued for.
/// </summary>
public static class ContrastiveLoss
{
    /// <summary>
    /// Bounded (Chopra 2005), forward and backward together for start ≤ p &lt; end:
    /// loss = (1−Y)·(2/Q)·E² + Y·2Q·exp(−2.77·E/Q); dDist = ((1−Y)·(4/Q)·E − Y·2·2.77·exp(−2.77·E/Q)) / count.
    /// </summary>
    public static void Bounded(ReadOnlySpan<float> dist, ReadOnlySpan<int> labels, Span<float> loss, Span<float> dDist,
        int start, int end, int count, float q)
    {
        float k = (float)Reference.ContrastiveLoss.ExpConstant, inv = 1f / count;
        for (int p = start; p < end; p++)
        {
            float e = dist[p];
            if (labels[p] == 0)
            {
                loss[p] = 2f / q * e * e;
                dDist[p] = 4f / q * e * inv;
            }
            else
            {
                float x = MathF.Exp(-k * e / q);
                loss[p] = 2f * q * x;
                dDist[p] = -2f * k * x * inv;
            }
        }
    }

    /// <summary>
    /// Margin (Hadsell 2006), forward and backward together for start ≤ p &lt; end:
    /// loss = (1−Y)·E² + Y·max(m − E, 0)²; dDist = ((1−Y)·2E − Y·2·max(m − E, 0)) / count.
    /// </summary>
    public static void Margin(ReadOnlySpan<float> dist, ReadOnlySpan<int> labels, Span<float> loss, Span<float> dDist,
        int start, int end, int count, float margin)
    {
        float inv = 1f / count;
        for (int p = start; p < end; p++)
        {
            float e = dist[p];
            if (labels[p] == 0)
            {
                loss[p] = e * e;
                dDist[p] = 2f * e * inv;
            }
            else
            {
                float h = MathF.Max(margin - e, 0f);
                loss[p] = h * h;
                dDist[p] = -2f * h * inv;
            }
        }
    }
}
