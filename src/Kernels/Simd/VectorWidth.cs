using System.Runtime.Intrinsics;

namespace GpuSiamese.Kernels.Simd;

/// <summary>Register width a SIMD kernel runs with.</summary>
public enum VectorWidth
{
    /// <summary>Vector128&lt;float&gt;: 4 lanes (SSE, AdvSimd).</summary>
    V128 = 128,
    /// <summary>Vector256&lt;float&gt;: 8 lanes (AVX2).</summary>
    V256 = 256,
    /// <summary>Vector512&lt;float&gt;: 16 lanes (AVX-512).</summary>
    V512 = 512,
}

/// <summary>Which widths this machine runs in hardware.</summary>
public static class VectorWidths
{
    /// <summary>
    /// The widest hardware-accelerated width not above <paramref name="maxBits"/>; V128 when nothing is
    /// accelerated (the runtime then emulates it: correct, only slow).
    /// </summary>
    public static VectorWidth Widest(int maxBits = 512)
    {
        if (maxBits >= 512 && Vector512.IsHardwareAccelerated) return VectorWidth.V512;
        if (maxBits >= 256 && Vector256.IsHardwareAccelerated) return VectorWidth.V256;
        return VectorWidth.V128;
    }

    /// <summary>Floats per register.</summary>
    public static int Lanes(this VectorWidth width) => (int)width / 32;
}
