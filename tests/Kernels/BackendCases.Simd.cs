using System.Runtime.Intrinsics;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// The SIMD backend at the machine's widest register and, forced narrower, at 256 and 128 bits, so the
/// fall-back paths are tested on a machine that has AVX-512. Two threads even on one core: the split
/// must be exercised wherever the tests run.
/// </summary>
public static class SimdBackendCases
{
    [BackendSource]
    public static IEnumerable<BackendCase> Cases()
    {
        yield return new BackendCase("simd", () => new SimdBackend(threads: Math.Max(2, Environment.ProcessorCount)), null);
        yield return Vector512.IsHardwareAccelerated
            ? new BackendCase("simd-v256", () => new SimdBackend(threads: 2, maxVectorBits: 256), null)
            : new BackendCase("simd-v256", null, "the widest register here is already 256 bits or less: the plain simd case covers it");
        yield return new BackendCase("simd-v128", () => new SimdBackend(threads: 2, maxVectorBits: 128), null);
    }
}
