using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Kernels;

/// <summary>Random fixtures and the llm.c tolerance rule |got − ref| ≤ tol + |ref|·rel.</summary>
public static class Parity
{
    public const double Tol = 1e-5, Rel = 1e-5;

    /// <summary>Awkward row counts and widths the issue asks for.</summary>
    public static readonly int[] Rows = [1, 3, 127, 128];
    public static readonly int[] Widths = [1, 7, 10, 196, 200];

    public static float[] Random(Random rng, int n, double scale = 1.0)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }

    public static double[] D(float[] a) => Array.ConvertAll(a, x => (double)x);

    public static DeviceBuffer<T> Up<T>(IBackend b, T[] data) where T : unmanaged
    {
        var buf = b.Allocate<T>(data.Length);
        b.Upload<T>(buf, data);
        return buf;
    }

    public static float[] Down(IBackend b, DeviceBuffer<float> buf)
    {
        var a = new float[buf.Length];
        b.Download<float>(buf, a);
        return a;
    }

    public static void AssertClose(double[] expected, float[] actual, string what, double tol = Tol, double rel = Rel)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what + ": length");
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            if (!(err <= tol + Math.Abs(expected[i]) * rel))
                Assert.Fail($"{what}[{i}]: got {actual[i]:R}, reference {expected[i]:R}, |err| {err:E2} > {tol + Math.Abs(expected[i]) * rel:E2}");
        }
    }
}
