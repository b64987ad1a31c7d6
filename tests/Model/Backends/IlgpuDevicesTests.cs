using System.Runtime.InteropServices;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Tests.Kernels;

namespace GpuSiamese.Tests.Model.Backends;

[TestFixture]
public partial class IlgpuDevicesTests
{
    [Test]
    public void ListStartsWithTheCpuAccelerator()
    {
        var found = IlgpuSharedBackends.Found.Value;
        Assert.That(found[0].Kind, Is.EqualTo("cpu"));
        Assert.That(found[0].Type, Does.Contain($"{Environment.ProcessorCount} threads"));
    }

    [Test]
    public void DescribeDevicesHasALineForEveryKind()
    {
        var text = IlgpuDevices.DescribeDevices();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var kind in IlgpuDevices.Kinds)
            Assert.That(lines.Any(l => l.StartsWith(kind + " ", StringComparison.Ordinal)), $"a line for {kind} in:\n{text}");
        if (!IlgpuSharedBackends.Found.Value.Any(d => d.Kind == "opencl"))
            Assert.That(text, Does.Contain("opencl  none found (install pocl-opencl-icd"));
    }

    [Test]
    public void UnknownKindIsAnArgumentErrorListingTheKinds()
    {
        var e = Assert.Throws<ArgumentException>(() => IlgpuDevices.Create("tpu"));
        Assert.That(e!.Message, Does.Contain("'tpu'").And.Contain("cpu, cuda, opencl"));
    }

    [Test]
    public void AbsentKindSaysSoAndWhatWasFound([Values("cuda", "opencl")] string kind)
    {
        if (IlgpuSharedBackends.Found.Value.Any(d => d.Kind == kind)) Assert.Ignore($"a {kind} device is present here");
        var e = Assert.Throws<IlgpuAcceleratorException>(() => IlgpuDevices.Create(kind));
        Assert.That(e!.Message, Does.Contain($"no {kind.ToUpperInvariant()} device found").And.Contain("ILGPU CPU accelerator"));
    }

    [Test]
    public void PoclCacheLivesInTheProductsCache()
    {
        var saved = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/tmp/xdg-test");
            Assert.That(PoclCompatibility.CacheDirectory(), Is.EqualTo("/tmp/xdg-test/gpusiamese/pocl"));
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.That(PoclCompatibility.CacheDirectory(),
                Is.EqualTo(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "gpusiamese", "pocl")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved);
        }
    }

    [Test]
    public void PoclBackendGetsTheNativeBuildFlagAndCacheAndIsNamed()
    {
        var pocl = IlgpuSharedBackends.Found.Value.FirstOrDefault(d => d.IsPocl);
        if (pocl == null) Assert.Ignore("no PoCL device found (install pocl-opencl-icd)");
        var backend = IlgpuSharedBackends.Get("opencl");
        Assert.That(backend.Name, Does.Contain("OpenCL").And.Contain("(PoCL)"));
        // PoCL reads the native environment: the flag must be there, not only in .NET's copy.
        Assert.That(Marshal.PtrToStringUTF8(GetEnv("POCL_EXTRA_BUILD_FLAGS")), Does.Contain(PoclCompatibility.GenericToGlobalFlag));
        var cache = Marshal.PtrToStringUTF8(GetEnv("POCL_CACHE_DIR"));
        Assert.That(cache, Is.Not.Null);
        Assert.That(Directory.EnumerateFileSystemEntries(cache!).Any(), Is.True, $"PoCL wrote its compiled kernels under {cache}");
    }

    [Test]
    public void PoclVerifyTurnsAWrongAnswerIntoAClearError()
    {
        PoclCompatibility.Verify(IlgpuSharedBackends.Get("cpu"), "ILGPU CPU accelerator");
        using var wrong = new WrongDenseForward(IlgpuSharedBackends.Get("cpu").Borrow());
        var e = Assert.Throws<IlgpuAcceleratorException>(() => PoclCompatibility.Verify(wrong, "a broken device"));
        Assert.That(e!.Message, Does.Contain("a broken device").And.Contain("wrong dense layer").And.Contain("--accelerator cpu or simd"));
    }

    /// <summary>A backend whose dense forward adds one to every output: what a miscompiled kernel would do.</summary>
    sealed class WrongDenseForward(IBackend inner) : DelegatingBackend(inner)
    {
        public override string Name => "wrong";

        public override void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
            int rows, int inW, int outW, GpuSiamese.Kernels.Activation act)
        {
            Inner.DenseForward(x, w, b, y, rows, inW, outW, act);
            var host = new float[y.Length];
            Inner.Download<float>(y, host);
            for (int k = 0; k < host.Length; k++) host[k] += 1f;
            Inner.Upload<float>(y, host);
        }
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
