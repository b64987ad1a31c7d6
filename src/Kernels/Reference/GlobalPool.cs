namespace GpuSiamese.Kernels.Reference;

/// <summary>
/// Global average pooling in double precision over channels-last images: X [n, pixels, c] → Y [n, c], each channel's
/// mean over the image's H·W pixels (a ResNet's head before its dense layer). Outputs overwritten.
/// </summary>
public static class GlobalPool
{
    /// <summary>Y[n,c] = (1/P) Σ_p X[n,p,c], P = <paramref name="pixels"/>.</summary>
    public static void AverageForward(double[] x, double[] y, int images, int pixels, int channels)
    {
        for (int n = 0; n < images; n++)
            for (int c = 0; c < channels; c++)
            {
                double s = 0;
                for (int p = 0; p < pixels; p++) s += x[(n * pixels + p) * channels + c];
                y[n * channels + c] = s / pixels;
            }
    }

    /// <summary>dX[n,p,c] = dY[n,c] / P.</summary>
    public static void AverageBackward(double[] dy, double[] dx, int images, int pixels, int channels)
    {
        for (int n = 0; n < images; n++)
            for (int p = 0; p < pixels; p++)
                for (int c = 0; c < channels; c++)
                    dx[(n * pixels + p) * channels + c] = dy[n * channels + c] / pixels;
    }
}
