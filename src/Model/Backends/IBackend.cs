using GpuSiamese.Kernels;

namespace GpuSiamese.Model.Backends;

/// <summary>
/// The operations a training step is made of. Every backend computes exactly what the methods of
/// <c>GpuSiamese.Kernels.Reference</c> compute (same layouts, same overwrite rules), in float32, and applies the rules of
/// <see cref="BackendContract"/> (each operation starts with its check there): transfer lengths, refused arguments,
/// outputs that must not overlap inputs, outputs overwritten whatever they held.
/// Calls may be queued; <see cref="Download{T}"/> and <see cref="Synchronize"/> wait for them.
/// Matrices are row-major: X [rows, inW], W [inW, outW], Y [rows, outW]; the embeddings of a batch
/// of B pairs are 2B rows, left images first.
/// </summary>
public partial interface IBackend : IDisposable
{
    /// <summary>What a person reads: e.g. "simd (AVX-512, 2 threads)" or "ILGPU CPU accelerator".</summary>
    string Name { get; }

    /// <summary>A zero-filled buffer.</summary>
    DeviceBuffer<T> Allocate<T>(int length) where T : unmanaged;

    /// <summary>Copies src into dst's first src.Length elements; refused when dst is shorter.</summary>
    void Upload<T>(DeviceBuffer<T> dst, ReadOnlySpan<T> src) where T : unmanaged;

    /// <summary>Copies src's first dst.Length elements into dst, waiting for queued work; refused when src is shorter.</summary>
    void Download<T>(DeviceBuffer<T> src, Span<T> dst) where T : unmanaged;

    /// <summary>Waits until every queued operation has finished.</summary>
    void Synchronize();
}
