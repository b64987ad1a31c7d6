using System.Reflection;
using System.Text.RegularExpressions;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;

namespace GpuSiamese.Tests.Kernels;

/// <summary>
/// Every ILGPU kernel compiled to PTX with ILGPU's PTX backend, no GPU needed: for the oldest architecture we
/// support (sm_50, Maxwell, the oldest CUDA 12 runs, at ILGPU's lowest PTX ISA 6.0), Hopper (sm_90, ISA 7.8) and
/// the newest ILGPU 1.5.3 knows (sm_121, ISA 8.8). ILGPU writes `.target` as the lowest architecture with every
/// capability it uses (CudaCapabilityContext.TargetArchitecture): sm_50 stays sm_50, Hopper and newer get sm_80 PTX,
/// which the driver compiles for the device when it loads it. The kernels are every public static void method of
/// GpuSiamese.Kernels.Ilgpu (an Index1D/2D/3D first parameter: implicitly grouped, else explicitly grouped), so
/// each variant, for every device, is compiled, and a new kernel is covered without being listed. What can be
/// checked without ptxas is checked on the text: the entry point, the target, 128-bit vector loads exactly in the
/// kernels that read Float4 views (the ones <see cref="KernelVariants"/> launches only on offsets proven multiples
/// of four floats), no local memory, and the one-launch sum built of warp shuffles and a barrier, with no atomics.
/// </summary>
[TestFixture]
public class PtxTests
{
    /// <summary>Architecture, PTX ISA, and the `.target` ILGPU writes for it.</summary>
    static readonly (CudaArchitecture Arch, CudaInstructionSet Isa, string Target)[] Targets =
    [
        (CudaArchitecture.SM_50, CudaInstructionSet.ISA_60, "sm_50"),
        (CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, "sm_80"),
        (CudaArchitecture.SM_121, CudaInstructionSet.ISA_88, "sm_80"),
    ];

    /// <summary>Every kernel method of GpuSiamese.Kernels.Ilgpu, by "Type.Method".</summary>
    static readonly IReadOnlyDictionary<string, MethodInfo> KernelMethods = typeof(Dense).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(Dense).Namespace && t.IsClass)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(m => m.ReturnType == typeof(void) && m.GetParameters().All(p => p.ParameterType.IsValueType))
        .ToDictionary(m => $"{m.DeclaringType!.Name}.{m.Name}");

    /// <summary>PTX text per (target, kernel), compiled once for the fixture.</summary>
    static readonly Lazy<IReadOnlyDictionary<(string Target, string Kernel), string>> Compiled = new(CompileAll);

    static bool ImplicitlyGrouped(MethodInfo m) =>
        m.GetParameters() is [var first, ..] && first.ParameterType is var t && (t == typeof(Index1D) || t == typeof(Index2D) || t == typeof(Index3D));

    static IReadOnlyDictionary<(string, string), string> CompileAll()
    {
        var ptx = new Dictionary<(string, string), string>();
        var failures = new List<string>();
        using var context = Context.Create(b => b.EnableAlgorithms());
        foreach (var (arch, isa, _) in Targets)
        {
            using var backend = new PTXBackend(context, arch, isa, null!);
            string target = arch.ToString().ToLowerInvariant();
            foreach (var (name, method) in KernelMethods)
            {
                var entry = ImplicitlyGrouped(method)
                    ? EntryPointDescription.FromImplicitlyGroupedKernel(method)
                    : EntryPointDescription.FromExplicitlyGroupedKernel(method);
                try
                {
                    ptx[(target, name)] = ((PTXCompiledKernel)backend.Compile(entry, default)).PTXAssembly;
                }
                catch (Exception e)
                {
                    failures.Add($"{name} for {target}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        if (failures.Count > 0) Assert.Fail("kernels that did not compile to PTX:\n" + string.Join("\n", failures));
        return ptx;
    }

    static IEnumerable<string> TargetNames() => Targets.Select(t => t.Arch.ToString().ToLowerInvariant());

    [Test]
    public void IlgpuTargetsTheLowestArchitectureWithTheCapabilitiesItUses()
    {
        foreach (var (arch, _, target) in Targets)
            Assert.That(new CudaCapabilityContext(arch).TargetArchitecture.ToString().ToLowerInvariant(), Is.EqualTo(target), arch.ToString());
    }

    [Test]
    public void TheSweepFindsTheKernelsOfEveryPlan()
    {
        Assert.That(KernelMethods.Keys, Does.Contain("Dense.ForwardRows4Out4").And.Contain("Reductions.GroupSum")
            .And.Contain("Reductions.PartialSumsBlocked").And.Contain("Gather.Rows"));
        Assert.That(KernelMethods.Keys, Does.Not.Contain("WorkSplit.Over").And.Not.Contain("KernelVariants.For"));
        var devices = new[]
        {
            new IlgpuDeviceTraits(IlgpuDeviceKind.Cuda, 32, 1024, 48 * 1024, 1 << 18, true),
            new IlgpuDeviceTraits(IlgpuDeviceKind.OpenClGpu, 64, 256, 64 * 1024, 1 << 17, false),
            new IlgpuDeviceTraits(IlgpuDeviceKind.OpenClCpu, 1, 4096, 1 << 18, 4096, false),
            new IlgpuDeviceTraits(IlgpuDeviceKind.CpuAccelerator, 2, 2, 1 << 30, 2, true),
        };
        foreach (var d in devices)
        {
            var kernels = KernelVariants.Kernels(KernelVariants.For(d)).All().ToList();
            TestContext.Out.WriteLine($"{d.Kind}: {kernels.Count} of the {KernelMethods.Count} kernels");
            foreach (var (name, kernel) in kernels)
                Assert.That(KernelMethods.TryGetValue(name, out var m) && m == kernel.Method, $"{d.Kind}: {name} is one of the compiled kernels");
        }
    }

    [Test]
    public void EveryKernelCompilesWithItsEntryPointAndTarget([ValueSource(nameof(TargetNames))] string target)
    {
        foreach (var name in KernelMethods.Keys)
        {
            string ptx = Compiled.Value[(target, name)];
            var (arch, isa, written) = Targets.Single(t => t.Arch.ToString().ToLowerInvariant() == target);
            Assert.That(ptx.Contains($".version {isa}\n") && ptx.Contains($".target {written}\n"), $"{name} for {target}: .version {isa}, .target {written}");
            Assert.That(Regex.IsMatch(ptx, $@"\.visible \.entry \w*{KernelMethods[name].Name}\("), $"{name} for {target}: entry point");
        }
    }

    [Test]
    public void VectorLoadsOnlyInKernelsThatReadFloat4Views([ValueSource(nameof(TargetNames))] string target)
    {
        var vectorLoad = new Regex(@"\bld(\.global)?(\.\w+)?\.v4\.(f32|b32)\b");
        foreach (var (name, method) in KernelMethods)
        {
            int float4Views = method.GetParameters().Count(p => p.ParameterType == typeof(ArrayView<Float4>));
            int loads = vectorLoad.Matches(Compiled.Value[(target, name)]).Count;
            if (float4Views == 0)
                Assert.That(loads, Is.EqualTo(0), $"{name} for {target}: reads no Float4 view, so no 128-bit loads that need 16-byte alignment");
            else
            {
                TestContext.Out.WriteLine($"{name} for {target}: {loads} 128-bit loads");
                Assert.That(loads, Is.GreaterThanOrEqualTo(float4Views), $"{name} for {target}: each Float4 view read by 128-bit loads");
            }
        }
    }

    [Test]
    public void NoKernelUsesLocalMemory([ValueSource(nameof(TargetNames))] string target)
    {
        foreach (var name in KernelMethods.Keys)
        {
            string ptx = Compiled.Value[(target, name)];
            Assert.That(ptx.Contains(".local") || ptx.Contains("__local_depot"), Is.False, $"{name} for {target}: local memory (a spilled array)");
        }
    }

    [Test]
    public void OnlyExplicitlyGroupedKernelsUseBarriersAndSharedMemory([ValueSource(nameof(TargetNames))] string target)
    {
        foreach (var (name, method) in KernelMethods.Where(k => ImplicitlyGrouped(k.Value)))
        {
            string ptx = Compiled.Value[(target, name)];
            Assert.That(ptx.Contains("bar.sync") || ptx.Contains("barrier.sync") || ptx.Contains(".shared"), Is.False, $"{name} for {target}: a barrier or shared memory");
        }
    }

    [Test]
    public void TheOneLaunchSumIsWarpShufflesAndOneBarrierWithoutAtomics([ValueSource(nameof(TargetNames))] string target)
    {
        string ptx = Compiled.Value[(target, "Reductions.GroupSum")];
        Assert.That(ptx.Contains("shfl.sync"), "ILGPU.Algorithms' warp reduction");
        Assert.That(Regex.IsMatch(ptx, @"\b(bar|barrier)\.sync\b"), "the group barrier before warp 0 adds the warps' sums");
        Assert.That(ptx.Contains(".shared"), "the warps' sums");
        Assert.That(Regex.IsMatch(ptx, @"\b(atom|red)\."), Is.False, "no atomics: the same order, the same bits, every run");
        string partial = Compiled.Value[(target, "Reductions.PartialSums")];
        Assert.That(partial.Contains("shfl") || partial.Contains("atom."), Is.False, "the partial sums stay plain loads and adds");
    }
}
