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
    sealed class WrongDenseForward(IBackend inner) : IBackend
    {
        public string Name => "wrong";
        public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged => inner.Allocate<T>(length);
        public void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged => inner.Upload(dst, src);
        public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged => inner.Download(src, dst);
        public void Synchronize() => inner.Synchronize();
        public void GatherRows(DeviceBuffer<float> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width) =>
            inner.GatherRows(table, indices, dst, rows, width);
        public void GatherRowsFromBytes(DeviceBuffer<byte> table, DeviceBuffer<int> indices, DeviceBuffer<float> dst, int rows, int width) =>
            inner.GatherRowsFromBytes(table, indices, dst, rows, width);
        public void DenseForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
            int rows, int inW, int outW, GpuSiamese.Kernels.Activation act)
        {
            inner.DenseForward(x, w, b, y, rows, inW, outW, act);
            var host = new float[y.Length];
            inner.Download<float>(y, host);
            for (int k = 0; k < host.Length; k++) host[k] += 1f;
            inner.Upload<float>(y, host);
        }
        public void ActivationBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, int n, GpuSiamese.Kernels.Activation act) =>
            inner.ActivationBackward(y, dy, n, act);
        public void DenseBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, int rows, int inW, int outW) =>
            inner.DenseBackwardData(dy, w, dx, rows, inW, outW);
        public void DenseBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
            int rows, int inW, int outW) => inner.DenseBackwardWeights(x, dy, dw, db, rows, inW, outW);
        public void Conv2dForward(DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> b, DeviceBuffer<float> y,
            GpuSiamese.Kernels.Conv2dGeometry g, GpuSiamese.Kernels.Activation act) => inner.Conv2dForward(x, w, b, y, g, act);
        public void Conv2dBackwardData(DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx, GpuSiamese.Kernels.Conv2dGeometry g) =>
            inner.Conv2dBackwardData(dy, w, dx, g);
        public void Conv2dBackwardWeights(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float> db,
            GpuSiamese.Kernels.Conv2dGeometry g) => inner.Conv2dBackwardWeights(x, dy, dw, db, g);
        public void MaxPoolForward(DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> winner, int images, int height, int width, int channels) =>
            inner.MaxPoolForward(x, y, winner, images, height, width, channels);
        public void MaxPoolBackward(DeviceBuffer<float> dy, DeviceBuffer<int> winner, DeviceBuffer<float> dx, int images, int height, int width, int channels) =>
            inner.MaxPoolBackward(dy, winner, dx, images, height, width, channels);
        public void PairDistanceForward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, int pairs, int dim, float eps) =>
            inner.PairDistanceForward(emb, dist, pairs, dim, eps);
        public void PairDistanceBackward(DeviceBuffer<float> emb, DeviceBuffer<float> dist, DeviceBuffer<float> dDist,
            DeviceBuffer<float> dEmb, int pairs, int dim, float eps) => inner.PairDistanceBackward(emb, dist, dDist, dEmb, pairs, dim, eps);
        public void PairLoss(LossKind kind, float parameter, DeviceBuffer<float> dist, DeviceBuffer<int> labels,
            DeviceBuffer<float> loss, DeviceBuffer<float> dDist, int count) => inner.PairLoss(kind, parameter, dist, labels, loss, dDist, count);
        public void TripletLoss(DeviceBuffer<float> emb, DeviceBuffer<float> loss, DeviceBuffer<float> dEmb, int triplets, int dim,
            float margin, float eps) => inner.TripletLoss(emb, loss, dEmb, triplets, dim, margin, eps);
        public void Dropout(DeviceBuffer<float> x, int n, float p, ulong key, long step) => inner.Dropout(x, n, p, key, step);
        public void WeightDecay(DeviceBuffer<float> p, int n, float rate) => inner.WeightDecay(p, n, rate);
        public void AdamStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, int n,
            float lr, float beta1, float beta2, float eps, int t, float gradScale) => inner.AdamStep(p, g, m, v, n, lr, beta1, beta2, eps, t, gradScale);
        public void RmsPropStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> s, int n,
            float lr, float rho, float eps, float gradScale) => inner.RmsPropStep(p, g, s, n, lr, rho, eps, gradScale);
        public void SgdStep(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> u, int n,
            float lr, float momentum, bool nesterov, float gradScale) => inner.SgdStep(p, g, u, n, lr, momentum, nesterov, gradScale);
        public float Sum(DeviceBuffer<float> x, int n) => inner.Sum(x, n);
        public float SumOfSquares(DeviceBuffer<float> x, int n) => inner.SumOfSquares(x, n);
        public void Dispose() => inner.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
