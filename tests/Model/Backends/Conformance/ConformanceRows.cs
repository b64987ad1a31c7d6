using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Model.Backends;

/// <summary>Buffers of one backend for one test, disposed with it; inputs are drawn from a fixed seed.</summary>
public sealed class ConformanceOperands(IBackend backend) : IDisposable
{
    readonly List<IDisposable> _owned = [];
    readonly Random _rng = new(11);

    public IBackend Backend => backend;

    /// <summary>Elements past the shape that <see cref="Filled"/> and <see cref="IntsFilled"/> add to an output buffer.</summary>
    public int Spare { get; init; }

    public DeviceBuffer<float> Random(int n, double low = -1, double high = 1) =>
        Up(Enumerable.Range(0, n).Select(_ => (float)(low + (high - low) * _rng.NextDouble())).ToArray());

    public DeviceBuffer<float> Filled(int n, float value) => Up(Enumerable.Repeat(value, n + Spare).ToArray());

    public DeviceBuffer<int> IntsFilled(int n, int value) => Up(Enumerable.Repeat(value, n + Spare).ToArray());

    public DeviceBuffer<float> Zeros(int n) => Own(backend.Allocate<float>(n));

    public DeviceBuffer<T> Up<T>(T[] values) where T : unmanaged
    {
        var buffer = Own(backend.Allocate<T>(values.Length));
        backend.Upload<T>(buffer, values);
        return buffer;
    }

    public T[] Down<T>(DeviceBuffer<T> buffer) where T : unmanaged
    {
        var values = new T[buffer.Length];
        backend.Download<T>(buffer, values);
        return values;
    }

    TBuffer Own<TBuffer>(TBuffer buffer) where TBuffer : IDisposable
    {
        _owned.Add(buffer);
        return buffer;
    }

    public void Dispose()
    {
        foreach (var b in _owned) b.Dispose();
    }
}

/// <summary>
/// One kernel family's rows of <see cref="BackendConformanceTests"/>: its operations with a negative size, with each buffer
/// one element short, with an output on an input's storage, what they write (filled with garbage first) and what they
/// change in place. Each family's rows are a subclass of their own (tests/Model/Backends/Conformance/*Rows.cs); the
/// fixture finds every subclass, so a new family's rows are one new file.
/// </summary>
public abstract class ConformanceRows
{
    /// <summary>Every family's rows.</summary>
    public static IReadOnlyList<ConformanceRows> All { get; } = typeof(ConformanceRows).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(ConformanceRows)) && !t.IsAbstract)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .Select(t => (ConformanceRows)Activator.CreateInstance(t)!)
        .ToArray();

    /// <summary>The convolution the rows use: 2 images of 5x6x3, 3x3 same, to 4 channels.</summary>
    public static readonly Conv2dGeometry Conv = new(2, 5, 6, 3, 4, 3, ConvPadding.Same);

    /// <summary>The garbage an int output (a max-pool's winners) is filled with for a float fill.</summary>
    public static int IntGarbage(float fill) => fill == 0 ? 0 : float.IsNaN(fill) ? -7 : (int)Math.Clamp(fill, -1e9f, 1e9f);

    public virtual IEnumerable<(string Name, Action<ConformanceOperands> Call)> NegativeSizes => [];

    public virtual IEnumerable<(string Name, string Buffer, Action<ConformanceOperands> Call)> ShortBuffers => [];

    public virtual IEnumerable<(string Name, string Output, Action<ConformanceOperands> Call)> Overlaps => [];

    public virtual IEnumerable<(string Name, Func<ConformanceOperands, float, float[][]> Run)> Writers => [];

    public virtual IEnumerable<(string Name, Func<ConformanceOperands, (DeviceBuffer<float>[] Buffers, Action Call)> Setup)> InPlace => [];
}
