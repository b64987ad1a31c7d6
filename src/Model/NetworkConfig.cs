using GpuSiamese.Kernels;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Model;

/// <summary>
/// The base network G as data: layer widths from the 196-wide input to the embedding, ReLU after every
/// hidden layer, and ReLU or identity after the last one (<see cref="ReluOnOutput"/>; the exercise uses ReLU).
/// <see cref="Layers"/> is the same network as a list of <see cref="ILayer"/>s (one <see cref="DenseLayer"/> per
/// width pair), which the training step and scoring walk. Parameters live in one flat vector, layer by layer, each
/// layer's slice at <see cref="LayerOffset"/>: W0 [w0,w1] row-major, b0 [w1], W1, b1, …
/// </summary>
public sealed class NetworkConfig : IEquatable<NetworkConfig>
{
    /// <summary>Width of the input: one 14x14 image.</summary>
    public const int InputWidth = 196;

    readonly int[] _widths;
    readonly int[] _offsets;
    readonly ILayer[] _layers;

    /// <summary>Throws <see cref="ArgumentException"/> naming <c>--layers</c> when the widths cannot make a network.</summary>
    public NetworkConfig(IReadOnlyList<int> widths, bool reluOnOutput = true)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count < 2)
            throw new ArgumentException($"--layers needs the input width and at least one layer (e.g. 196,200,10), got '{Format(widths)}'", nameof(widths));
        if (widths[0] != InputWidth)
            throw new ArgumentException($"--layers must start with {InputWidth} (a 14x14 image), got '{Format(widths)}'", nameof(widths));
        for (int i = 1; i < widths.Count; i++)
            if (widths[i] < 1)
                throw new ArgumentException($"--layers: every width must be at least 1, got {widths[i]} in '{Format(widths)}'", nameof(widths));

        _widths = widths.ToArray();
        ReluOnOutput = reluOnOutput;
        _offsets = new int[LayerCount];
        _layers = new ILayer[LayerCount];
        long offset = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            _offsets[l] = (int)offset;
            offset += (long)_widths[l] * _widths[l + 1] + _widths[l + 1];
            if (offset > int.MaxValue / 4)
                throw new ArgumentException($"--layers '{Format(widths)}' has too many parameters ({offset:N0} and more)", nameof(widths));
            _layers[l] = new DenseLayer(_widths[l], _widths[l + 1], ActivationOf(l));
        }
        ParameterCount = (int)offset;
    }

    /// <summary>The exercise's network: 196-200-10, ReLU on both layers.</summary>
    public static NetworkConfig Default => new([InputWidth, 200, 10], reluOnOutput: true);

    /// <summary>Input width first, embedding width last.</summary>
    public IReadOnlyList<int> Widths => _widths;

    public bool ReluOnOutput { get; }

    /// <summary>Number of dense layers (widths minus one).</summary>
    public int LayerCount => _widths.Length - 1;

    /// <summary>Width of the embedding (the last layer's output).</summary>
    public int OutputWidth => _widths[^1];

    /// <summary>The widest layer output, for sizing activation buffers.</summary>
    public int MaxLayerWidth => _widths.Skip(1).Max();

    /// <summary>Σ_l (w_l·w_{l+1} + w_{l+1}).</summary>
    public int ParameterCount { get; }

    public int InWidth(int layer) => _widths[layer];

    public int OutWidth(int layer) => _widths[layer + 1];

    /// <summary>ReLU on hidden layers; on the last layer as <see cref="ReluOnOutput"/> says.</summary>
    public Activation ActivationOf(int layer) =>
        layer < LayerCount - 1 || ReluOnOutput ? Activation.Relu : Activation.Identity;

    /// <summary>The layers in order, input first; layer l reads layer l−1's output.</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>Offset of layer <paramref name="layer"/>'s slice in the flat parameter vector.</summary>
    public int LayerOffset(int layer) => _offsets[layer];

    /// <summary>Offset of W_layer in the flat parameter vector.</summary>
    public int WeightOffset(int layer) => _offsets[layer];

    /// <summary>Offset of b_layer in the flat parameter vector.</summary>
    public int BiasOffset(int layer) => _offsets[layer] + _widths[layer] * _widths[layer + 1];

    /// <summary>e.g. "196-200-10 (ReLU on output)".</summary>
    public override string ToString() =>
        $"{string.Join('-', _widths)} ({(ReluOnOutput ? "ReLU" : "linear")} on output)";

    public bool Equals(NetworkConfig? other) =>
        other is not null && ReluOnOutput == other.ReluOnOutput && _widths.AsSpan().SequenceEqual(other._widths);

    public override bool Equals(object? obj) => Equals(obj as NetworkConfig);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(ReluOnOutput);
        foreach (int w in _widths) h.Add(w);
        return h.ToHashCode();
    }

    static string Format(IReadOnlyList<int> widths) => string.Join(',', widths);
}
