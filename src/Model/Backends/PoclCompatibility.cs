using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime.OpenCL;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// Makes ILGPU 1.5.3 run its OpenCL kernels on PoCL's CPU device (Debian bookworm's pocl-opencl-icd
/// 3.1-3+deb12u1 with ocl-icd-libopencl1 2.3.1-1; checked with ILGPU 1.5.3). What it changes, and why:
/// <list type="number">
/// <item>A DllImport resolver on ILGPU's assembly maps the library name <c>OpenCL</c> to
/// <c>libOpenCL.so.1</c>: ILGPU asks for <c>OpenCL</c>, Debian's ICD loader ships only the <c>.so.1</c>
/// name (the unversioned link comes with the -dev package). Process-wide, harmless for other platforms.</item>
/// <item><c>POCL_EXTRA_BUILD_FLAGS</c> gains <c>-D__generic=__global</c> and <c>POCL_CACHE_DIR</c> points
/// to <c>$XDG_CACHE_HOME/gpusiamese/pocl</c> (else <c>~/.cache/gpusiamese/pocl</c>) unless already set;
/// both through libc <c>setenv</c>, since PoCL reads the native environment, before the first OpenCL call.
/// Only PoCL reads these variables.</item>
/// <item>For PoCL devices only, the device's <c>Capabilities.GenericAddressSpace</c> is set to true by
/// reflection (its setter is internal). PoCL 3.1 reports no generic address space and ILGPU then refuses
/// to compile; ILGPU's OpenCL code uses <c>__generic</c> pointers, which the build flag above turns into
/// <c>__global</c> — every kernel of ours only dereferences global memory. Either step alone fails.</item>
/// </list>
/// If a later ILGPU or PoCL breaks this, <see cref="Verify"/> (run when a PoCL backend is created) turns it
/// into an <see cref="IlgpuAcceleratorException"/>, never a wrong answer; the caller falls back to another
/// accelerator.
/// </summary>
public static partial class PoclCompatibility
{
    /// <summary>The build flag that maps OpenCL's generic address space to global memory.</summary>
    public const string GenericToGlobalFlag = "-D__generic=__global";

    static readonly object Gate = new();
    static bool prepared;

    /// <summary>True when the device is PoCL's (platform "Portable Computing Language").</summary>
    public static bool IsPocl(CLDevice device) =>
        device.PlatformName.Contains("Portable Computing Language", StringComparison.OrdinalIgnoreCase)
        || device.PlatformName.Contains("pocl", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Process-wide part (library name, PoCL's environment); call before the first ILGPU context that
    /// enables OpenCL. Idempotent.
    /// </summary>
    public static void PrepareProcess()
    {
        lock (Gate)
        {
            if (prepared) return;
            prepared = true;
            if (!OperatingSystem.IsLinux()) return;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, ResolveOpenCL);
            }
            catch (InvalidOperationException)
            {
                // Someone else installed a resolver on ILGPU's assembly first: theirs stays.
            }
            var flags = Environment.GetEnvironmentVariable("POCL_EXTRA_BUILD_FLAGS");
            if (flags == null || !flags.Contains(GenericToGlobalFlag, StringComparison.Ordinal))
                SetNative("POCL_EXTRA_BUILD_FLAGS", string.IsNullOrWhiteSpace(flags) ? GenericToGlobalFlag : flags + " " + GenericToGlobalFlag);
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("POCL_CACHE_DIR")))
            {
                var dir = CacheDirectory();
                Directory.CreateDirectory(dir);
                SetNative("POCL_CACHE_DIR", dir);
            }
        }
    }

    /// <summary>PoCL's kernel cache inside the product's per-user cache.</summary>
    public static string CacheDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "gpusiamese", "pocl");
    }

    /// <summary>Device part: declares the generic address space present on a PoCL device (before its accelerator is created).</summary>
    public static void Apply(CLDevice device)
    {
        if (!IsPocl(device)) return;
        var setter = typeof(CLCapabilityContext)
            .GetProperty(nameof(CLCapabilityContext.GenericAddressSpace), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?.GetSetMethod(nonPublic: true);
        if (setter == null)
            throw new IlgpuAcceleratorException(
                $"PoCL compatibility: this ILGPU ({typeof(Context).Assembly.GetName().Version}) has no settable " +
                "CLCapabilityContext.GenericAddressSpace (checked with ILGPU 1.5.3); use --accelerator cpu or simd.");
        setter.Invoke(device.Capabilities, [true]);
    }

    /// <summary>
    /// Runs a small dense layer, a ReLU backward and a sum on <paramref name="backend"/> and compares them
    /// with host arithmetic; throws <see cref="IlgpuAcceleratorException"/> on any failure or mismatch.
    /// </summary>
    public static void Verify(IBackend backend, string deviceName)
    {
        const int rows = 5, inW = 9, outW = 6;
        var x = new float[rows * inW];
        var w = new float[inW * outW];
        var b = new float[outW];
        for (int k = 0; k < x.Length; k++) x[k] = (k % 7 - 3) * 0.25f;
        for (int k = 0; k < w.Length; k++) w[k] = (k % 5 - 2) * 0.125f;
        for (int k = 0; k < b.Length; k++) b[k] = (k - 2) * 0.5f;
        var expected = new float[rows * outW];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outW; o++)
            {
                float s = b[o];
                for (int i = 0; i < inW; i++) s += x[r * inW + i] * w[i * outW + o];
                expected[r * outW + o] = Math.Max(s, 0f);
            }
        float[] got = new float[rows * outW];
        float sum;
        try
        {
            using var bx = backend.Allocate<float>(x.Length);
            using var bw = backend.Allocate<float>(w.Length);
            using var bb = backend.Allocate<float>(b.Length);
            using var by = backend.Allocate<float>(got.Length);
            backend.Upload<float>(bx, x); backend.Upload<float>(bw, w); backend.Upload<float>(bb, b);
            backend.DenseForward(bx, bw, bb, by, rows, inW, outW, GpuSiamese.Kernels.Activation.Relu);
            backend.Download<float>(by, got);
            sum = backend.Sum(bx, x.Length);
        }
        catch (Exception e) when (e is not IlgpuAcceleratorException)
        {
            throw new IlgpuAcceleratorException(
                $"PoCL compatibility: kernels failed on {deviceName} ({e.GetType().Name}: {e.Message}); " +
                "checked with ILGPU 1.5.3 and PoCL 3.1; use --accelerator cpu or simd.", e);
        }
        for (int k = 0; k < got.Length; k++)
            if (!(Math.Abs(got[k] - expected[k]) <= 1e-5f + Math.Abs(expected[k]) * 1e-5f))
                throw new IlgpuAcceleratorException(
                    $"PoCL compatibility: {deviceName} computed a wrong dense layer (element {k}: {got[k]} instead of {expected[k]}); " +
                    "checked with ILGPU 1.5.3 and PoCL 3.1; use --accelerator cpu or simd.");
        float expectedSum = 0;
        foreach (var v in x) expectedSum += v;
        if (!(Math.Abs(sum - expectedSum) <= 1e-4f))
            throw new IlgpuAcceleratorException(
                $"PoCL compatibility: {deviceName} computed a wrong sum ({sum} instead of {expectedSum}); use --accelerator cpu or simd.");
    }

    static IntPtr ResolveOpenCL(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!libraryName.Equals("OpenCL", StringComparison.OrdinalIgnoreCase)) return IntPtr.Zero;
        // Zero lets the runtime's own search go on (a system with the unversioned name still works).
        return NativeLibrary.TryLoad("libOpenCL.so.1", out var handle) ? handle : IntPtr.Zero;
    }

    static void SetNative(string name, string value)
    {
        if (SetEnv(name, value, 1) != 0)
            throw new IlgpuAcceleratorException($"PoCL compatibility: setenv({name}) failed");
        Environment.SetEnvironmentVariable(name, value); // keep .NET's view of the environment in step
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
