using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Kernels
{
    /// <summary>
    /// ILGPU's cases: the CPU accelerator always, OpenCL (PoCL or any OpenCL device) and CUDA when present.
    /// Creating an accelerator and compiling the kernels costs about a second (more on PoCL), so each kind
    /// is created once per test run; a test gets <see cref="IlgpuBackend.Borrow"/>, whose Dispose releases
    /// nothing, and <see cref="IlgpuSharedBackends"/> disposes the owners when the run ends.
    /// </summary>
    public static class IlgpuBackendCases
    {
        [BackendSource]
        static IEnumerable<BackendCase> Cases()
        {
            yield return Case("ilgpu-cpu", "cpu", null);
            IReadOnlyList<IlgpuDeviceInfo> found = IlgpuSharedBackends.Found.Value;
            yield return Case("ilgpu-opencl", "opencl",
                found.Any(d => d.Kind == "opencl") ? null : "no OpenCL device found (install pocl-opencl-icd)");
            yield return Case("ilgpu-cuda", "cuda",
                found.Any(d => d.Kind == "cuda") ? null : "no CUDA device found (needs an NVIDIA GPU and its driver)");
        }

        static BackendCase Case(string name, string kind, string? skipReason) =>
            skipReason == null
                ? new BackendCase(name, () => IlgpuSharedBackends.Get(kind).Borrow(), null)
                : new BackendCase(name, null, skipReason);
    }
}

namespace GpuSiamese.Tests
{
    /// <summary>
    /// The one backend per ILGPU kind shared by the whole test run, disposed at its end. A set-up fixture
    /// applies to its namespace, hence GpuSiamese.Tests: the backend tests under Model use it too.
    /// </summary>
    [SetUpFixture]
    public sealed class IlgpuSharedBackends
    {
        internal static readonly Lazy<IReadOnlyList<IlgpuDeviceInfo>> Found = new(IlgpuDevices.List);
        static readonly Dictionary<string, IlgpuBackend> Owners = [];

        internal static IlgpuBackend Get(string kind)
        {
            lock (Owners)
            {
                if (!Owners.TryGetValue(kind, out var backend))
                {
                    backend = IlgpuDevices.Create(kind);
                    TestContext.Progress.WriteLine($"{backend.Name}: kernels loaded in {backend.KernelLoadTime.TotalMilliseconds:F0} ms");
                    Owners[kind] = backend;
                }
                return backend;
            }
        }

        [OneTimeTearDown]
        public void DisposeAll()
        {
            lock (Owners)
            {
                foreach (var b in Owners.Values) b.Dispose();
                Owners.Clear();
            }
        }
    }
}
