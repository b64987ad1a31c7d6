using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using GpuSiamese.Kernels;
using GpuSiamese.Kernels.Simd;
using SimdKernels = GpuSiamese.Kernels.Simd;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// The training step's operations on the host's cores (<c>src/Kernels/Simd</c>), synchronously: every call
/// has finished when it returns, so <see cref="Synchronize"/> has nothing to wait for. Work is split over
/// threads only where it pays: a 128-row step is mostly operations of a few µs, which run on the caller.
/// One thread calls it at a time (its scratch space is shared by the calls), as a training loop does.
/// </summary>
public sealed unsafe partial class SimdBackend : IBackend
{
    /// <summary>Below this many flops (~3 µs on one core) a product runs on the calling thread.</summary>
    public const long ParallelFlops = 1 << 18;

    /// <summary>Below this many elements a cheap element-wise step (ReLU', SGD) runs on the calling thread.</summary>
    public const int ParallelElements = 1 << 16;

    /// <summary>The same for steps with a square root and a division per element (Adam, RMSprop): ~0.3 ns each.</summary>
    public const int ParallelElementsCostly = 1 << 14;

    /// <summary>
    /// Output pixels per block of a convolution pass (<see cref="ConvBlock"/>): 512 rows of a 3x3x32 patch matrix are
    /// 576 KiB, which with the block's dY fits the 1 MiB L2 of a core here; whole-batch products streamed dY from memory
    /// once per four rows of dW (perf/ConvProfile, v2 vs v3).
    /// </summary>
    public const int ConvBlockRows = 512;

    /// <summary>Pieces per thread of a split operation: enough for a late thread's share to be taken over.</summary>
    const int PartsPerThread = 4;

    readonly SimdWorkerPool pool;
    readonly VectorWidth width;
    readonly ScratchSpace transposed = new();
    /// <summary>Per thread (the pool's worker index): a convolution block's patch matrix.</summary>
    readonly ScratchSpace[] workerPatches;
    readonly ScratchSpace partialSums = new();
    /// <summary>Per thread (the pool's worker index): the packed blocks of A and B of a large product.</summary>
    readonly ScratchSpace[] packing;

    /// <param name="threads">Threads to split large operations over; default: the machine's logical cores.</param>
    /// <param name="maxVectorBits">512, 256 or 128: the widest register the kernels may use (narrower widths
    /// are for testing the fall-back paths on a machine that has the wider ones).</param>
    public SimdBackend(int? threads = null, int maxVectorBits = 512)
    {
        if (maxVectorBits is not (512 or 256 or 128))
            throw new ArgumentOutOfRangeException(nameof(maxVectorBits), maxVectorBits, "the vector width must be 512, 256 or 128 bits");
        int n = threads ?? Environment.ProcessorCount;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(threads), n, "the SIMD backend needs at least one thread");
        width = VectorWidths.Widest(maxVectorBits);
        pool = new SimdWorkerPool(n);
        workerPatches = Enumerable.Range(0, n).Select(_ => new ScratchSpace()).ToArray();
        packing = Enumerable.Range(0, n).Select(_ => new ScratchSpace()).ToArray();
        Name = $"simd ({InstructionSet(width)}, {n} thread{(n == 1 ? "" : "s")})";
    }

    public string Name { get; }

    /// <summary>The register width the kernels run with.</summary>
    public VectorWidth Width => width;

    public int Threads => pool.Threads;

    /// <summary>How many times a late worker made the backend run the following operations on one thread for a while.</summary>
    public int SplitStalls => pool.Stalls;

    public DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged => new SimdBuffer<T>(length);

    public void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged
    {
        BackendContract.Upload(dst, src.Length);
        src.CopyTo(Own(dst, nameof(dst)).Span);
    }

    public void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged
    {
        BackendContract.Download(src, dst.Length);
        Own(src, nameof(src)).Span[..dst.Length].CopyTo(dst);
    }

    public void Synchronize() { }

    public void Dispose()
    {
        pool.Dispose();
        transposed.Dispose();
        partialSums.Dispose();
        foreach (var p in workerPatches) p.Dispose();
        foreach (var p in packing) p.Dispose();
    }

    /// <summary>
    /// C [m, n] (row-major, ldc = n) = act(bias + A·B) through <see cref="SimdKernels.Dense.PackedProduct"/>, split
    /// over the threads by blocks of columns (each part packs only its own columns of B), or by blocks of rows
    /// when there are too few columns for every thread (each part then packs all of B, a small matrix there).
    /// columnSums, if not null, receives Σ_p B[p, j] from the parts that pack row 0's columns.
    /// </summary>
    void PackedProduct(float* a, long am, long ak, float* b, long bk, long bn, float* bias, float* c, int m, int n, int k,
        bool relu, float* columnSums)
    {
        var sw = width;
        int threads = pool.Threads, nr = SimdKernels.Dense.PackedColumnsPerTile(sw), mr = SimdKernels.Dense.PackedRows;
        int panels = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr;
        bool byColumns = panels >= 2 * threads || panels >= rowTiles;
        int tiles = byColumns ? panels : rowTiles, align = byColumns ? nr : mr, count = byColumns ? n : m;
        int parts = threads == 1 || 2L * m * n * k < ParallelFlops ? 1 : Math.Min(tiles, PartsPerThread * threads);
        pool.Run(parts, (part, worker) =>
        {
            int s = (int)((long)tiles * part / parts) * align, e = Math.Min((int)((long)tiles * (part + 1) / parts) * align, count);
            if (s >= e) return;
            float* scratch = packing[worker].Get(SimdKernels.Dense.PackedScratchFloats);
            if (byColumns) SimdKernels.Dense.PackedProduct(sw, a, am, ak, b, bk, bn, bias, c, n, k, 0, m, s, e, relu, scratch, columnSums);
            else SimdKernels.Dense.PackedProduct(sw, a, am, ak, b, bk, bn, bias, c, n, k, s, e, 0, n, relu, scratch, s == 0 ? columnSums : null);
        });
    }

    /// <summary>
    /// Runs body(start, end, worker) over [0, count): in one piece on this thread when the work is small,
    /// else in pieces a multiple of <paramref name="align"/> long (the kernels' row tile), a few per thread
    /// so that whichever thread is free takes the next.
    /// </summary>
    void Split(int count, int align, long work, Action<int, int, int> body)
    {
        int threads = pool.Threads;
        int tiles = (count + align - 1) / align;
        int parts = Math.Min(tiles, PartsPerThread * threads);
        if (threads == 1 || work < ParallelFlops || parts < 2)
        {
            body(0, count, 0);
            return;
        }
        pool.Run(parts, (part, worker) =>
        {
            int s = (int)((long)tiles * part / parts) * align, e = Math.Min((int)((long)tiles * (part + 1) / parts) * align, count);
            if (s < e) body(s, e, worker);
        });
    }

    void SplitElements(int n, Action<int, int> body, int minimum = ParallelElements)
    {
        // Multiples of 64 floats: every piece starts on a cache line and on a register boundary.
        if (n < minimum) body(0, n);
        else Split(n, 64, long.MaxValue, (s, e, _) => body(s, e));
    }

    static SimdBuffer<T> Own<T>(DeviceBuffer<T> buffer, string name) where T : unmanaged =>
        buffer as SimdBuffer<T> ?? throw new ArgumentException($"{name} was allocated by another backend ({buffer.GetType().Name}), not by the SIMD backend", name);

    static string InstructionSet(VectorWidth w) => w switch
    {
        VectorWidth.V512 => Avx512F.IsSupported ? "AVX-512" : "Vector512",
        VectorWidth.V256 => Avx2.IsSupported ? "AVX2" : "Vector256",
        _ when Sse2.IsSupported => "SSE",
        _ when AdvSimd.IsSupported => "NEON",
        _ => "Vector128, not accelerated",
    };

    /// <summary>A growable native float block: the transposed weights of a backward-data call, a convolution's patches, a thread's packed panels.</summary>
    sealed class ScratchSpace : IDisposable
    {
        SimdBuffer<float>? buffer;

        public float* Get(int length) => Buffer(length).Pointer;

        public SimdBuffer<float> Buffer(int length)
        {
            if (buffer == null || buffer.Length < length)
            {
                buffer?.Dispose();
                buffer = new SimdBuffer<float>(Math.Max(length, 1024));
            }
            return buffer;
        }

        public void Dispose() => buffer?.Dispose();
    }
}
