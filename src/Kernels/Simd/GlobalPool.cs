using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuSiamese.Kernels.Simd;

/// <summary>
/// Global average pooling (<see cref="Reference.GlobalPool"/>) on host vectors, a vector of channels at a time, for the
/// images imageStart ≤ n &lt; imageEnd. The sum runs over the pixels in order and is scaled by 1/P once.
/// </summary>
public static unsafe class GlobalPool
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageForward(float* x, float* y, int imageStart, int imageEnd, int pixels, int channels)
    {
        int l = Vector<float>.Count;
        float scale = 1f / pixels;
        for (int n = imageStart; n < imageEnd; n++)
        {
            float* image = x + (long)n * pixels * channels, yo = y + (long)n * channels;
            int c = 0;
            for (; c + l <= channels; c += l)
            {
                var s = Vector<float>.Zero;
                for (int p = 0; p < pixels; p++) s += Vector.Load(image + (long)p * channels + c);
                (s * scale).Store(yo + c);
            }
            for (; c < channels; c++)
            {
                float s = 0;
                for (int p = 0; p < pixels; p++) s += image[(long)p * channels + c];
                yo[c] = s * scale;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageBackward(float* dy, float* dx, int imageStart, int imageEnd, int pixels, int channels)
    {
        int l = Vector<float>.Count;
        float scale = 1f / pixels;
        for (int n = imageStart; n < imageEnd; n++)
        {
            float* d = dy + (long)n * channels, image = dx + (long)n * pixels * channels;
            for (int p = 0; p < pixels; p++)
            {
                float* row = image + (long)p * channels;
                int c = 0;
                for (; c + l <= channels; c += l) (Vector.Load(d + c) * scale).Store(row + c);
                for (; c < channels; c++) row[c] = d[c] * scale;
            }
        }
    }
}
