using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Ilgpu = GpuSiamese.Kernels.Ilgpu;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// Runs the operations of a training step as the ILGPU kernels of <c>GpuSiamese.Kernels.Ilgpu</c> on one
/// accelerator (ILGPU's CPU accelerator, CUDA or OpenCL). Every kernel is compiled once, here, and the
/// delegates are kept. Which kernel variants, work shape and group size run on this accelerator is decided
/// beside the kernels, by <see cref="KernelVariants"/> from the accelerator's <see cref="Traits"/>.
/// Create one with <see cref="IlgpuDevices.Create"/>. Not thread-safe: one caller at a time.
/// </summary>
public sealed partial class IlgpuBackend : IBackend
{
    readonly Runtime rt;
    readonly bool ownsRuntime;

    /// <summary>A backend on <paramref name="accelerator"/> with the plan its traits give, or <paramref name="plan"/> (tests).</summary>
    internal IlgpuBackend(Context context, Accelerator accelerator, string name, KernelPlan? plan = null)
    {
        rt = new Runtime(context, accelerator, name, plan ?? KernelVariants.For(Traits(accelerator)));
        ownsRuntime = true;
    }

    IlgpuBackend(Runtime runtime)
    {
        rt = runtime;
        ownsRuntime = false;
    }

    public string Name => rt.Name;

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    public Accelerator Accelerator => rt.Accelerator;

    /// <summary>The kernel variants, work shape and group size chosen for this accelerator.</summary>
    public KernelPlan Plan => rt.Plan;

    /// <summary>What <see cref="KernelVariants.For"/> reads from an ILGPU accelerator.</summary>
    public static IlgpuDeviceTraits Traits(Accelerator a)
    {
        var kind = a.Device switch
        {
            ILGPU.Runtime.Cuda.CudaDevice => IlgpuDeviceKind.Cuda,
            ILGPU.Runtime.OpenCL.CLDevice { DeviceType: ILGPU.Runtime.OpenCL.CLDeviceType.CL_DEVICE_TYPE_GPU } => IlgpuDeviceKind.OpenClGpu,
            ILGPU.Runtime.OpenCL.CLDevice => IlgpuDeviceKind.OpenClCpu,
            _ => IlgpuDeviceKind.CpuAccelerator,
        };
        bool shuffles = a.Device is not ILGPU.Runtime.OpenCL.CLDevice cl || cl.Capabilities.SubGroups;
        return new IlgpuDeviceTraits(kind, a.WarpSize, a.MaxNumThreadsPerGroup, a.MaxSharedMemoryPerGroup, a.MaxNumThreads, shuffles);
    }

    /// <summary>Time spent compiling and loading the kernels when the backend was created.</summary>
    public TimeSpan KernelLoadTime => rt.LoadTime;

    /// <summary>
    /// Another handle on the same accelerator and loaded kernels whose <see cref="Dispose"/> releases
    /// nothing (for callers that share one accelerator); it must not be used after this backend is disposed.
    /// </summary>
    public IlgpuBackend Borrow() => new(rt);

    public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var buffer = rt.Accelerator.Allocate1D<T>(length);
        if (length > 0) buffer.View.MemSetToZero(rt.Stream);
        return new IlgpuBuffer<T>(rt.Accelerator, buffer);
    }

    public void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged
    {
        BackendContract.Upload(dst, src.Length);
        var view = Of(dst).View;
        if (src.Length == 0) return;
        ArrayView1D<T, Stride1D.Dense> target = view.SubView(0, src.Length);
        target.CopyFromCPU(rt.Stream, src);
    }

    public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged
    {
        BackendContract.Download(src, dst.Length);
        var view = Of(src).View;
        if (dst.Length > 0)
        {
            ArrayView1D<T, Stride1D.Dense> source = view.SubView(0, dst.Length);
            source.CopyToCPU(rt.Stream, dst);
        }
        rt.Stream.Synchronize();
    }

    public void Synchronize() => rt.Stream.Synchronize();

    public void Dispose()
    {
        if (ownsRuntime) rt.Dispose();
    }

    IlgpuBuffer<T> Of<T>(DeviceBuffer<T> buffer) where T : unmanaged =>
        buffer is IlgpuBuffer<T> b && ReferenceEquals(b.Accelerator, rt.Accelerator)
            ? b
            : throw new ArgumentException($"buffer was not allocated by this backend ({Name})", nameof(buffer));

    /// <summary>The loaded kernels of <paramref name="TFamily"/> (every family is loaded when the backend is made).</summary>
    TFamily K<TFamily>() where TFamily : IKernelFamily => (TFamily)rt.Families[typeof(TFamily)];

    /// <summary>The accelerator, its plan and the kernel families the plan names, loaded.</summary>
    sealed class Runtime : IKernelLoader, IDisposable
    {
        public readonly Context Context;
        public readonly Accelerator Accelerator;
        public readonly AcceleratorStream Stream;
        public readonly string Name;
        public readonly KernelPlan Plan;
        /// <summary>Each family's kernels for the plan, loaded, by the family record's type.</summary>
        public readonly IReadOnlyDictionary<Type, IKernelFamily> Families;
        public readonly TimeSpan LoadTime;
        public readonly MemoryBuffer1D<float, Stride1D.Dense> Partials;

        public Runtime(Context context, Accelerator accelerator, string name, KernelPlan plan)
        {
            Context = context;
            Accelerator = accelerator;
            Stream = accelerator.DefaultStream;
            Name = name;
            Plan = plan;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Families = KernelVariants.Families(plan).ToDictionary(f => f.GetType(), f => f.Load(this));
            LoadTime = clock.Elapsed;
            Partials = accelerator.Allocate1D<float>(Math.Max(1, plan.SumParts));
        }

        public Action<Index1D, T1, T2> Load<T1, T2>(Action<Index1D, T1, T2> kernel)
            where T1 : struct where T2 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public Action<Index1D, T1, T2, T3> Load<T1, T2, T3>(Action<Index1D, T1, T2, T3> kernel)
            where T1 : struct where T2 : struct where T3 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public Action<Index1D, T1, T2, T3, T4> Load<T1, T2, T3, T4>(Action<Index1D, T1, T2, T3, T4> kernel)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public Action<Index1D, T1, T2, T3, T4, T5> Load<T1, T2, T3, T4, T5>(Action<Index1D, T1, T2, T3, T4, T5> kernel)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public Action<Index1D, T1, T2, T3, T4, T5, T6> Load<T1, T2, T3, T4, T5, T6>(Action<Index1D, T1, T2, T3, T4, T5, T6> kernel)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public Action<Index1D, T1, T2, T3, T4, T5, T6, T7> Load<T1, T2, T3, T4, T5, T6, T7>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7> kernel)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> Load<T1, T2, T3, T4, T5, T6, T7, T8>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> kernel)
            where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct =>
            Plan.GroupSize > 0 ? Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, Plan.GroupSize) : Accelerator.LoadAutoGroupedStreamKernel(kernel);

        public Action<KernelConfig, T1, T2, T3> LoadGrouped<T1, T2, T3>(Action<T1, T2, T3> kernel)
            where T1 : struct where T2 : struct where T3 : struct => Accelerator.LoadStreamKernel(kernel);

        public void Dispose()
        {
            Partials.Dispose();
            Accelerator.Dispose();
            Context.Dispose();
        }
    }
}
