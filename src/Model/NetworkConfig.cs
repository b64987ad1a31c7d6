using GpuSiamese.Kernels;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Model;

/// <summary>
/// The base network G as data, in one of two spellings (<see cref="NetworkSpec"/>): layer widths from the input
/// (196 wide for MNIST's 14x14 images) to the embedding, ReLU after every hidden layer and ReLU or identity after the last one
/// (<see cref="ReluOnOutput"/>; the exercise uses ReLU); or a layer list over the input image, e.g. 1x14x14 (convolutions,
/// max-pools, flatten, dense layers, each with its activation), <see cref="LayerList"/>.
/// <see cref="Layers"/> is the network as a list of <see cref="ILayer"/>s either way, which the training step and scoring
/// walk. Parameters live in one flat vector, layer by layer, each layer's slice at <see cref="LayerOffset"/>
/// (dense: W [in,out] row-major then b; conv: W [k,k,inC,outC] then b; max-pool: none).
/// </summary>
public sealed class NetworkConfig : IEquatable<NetworkConfig>
{
    /// <summary>Width of the exercise's input: one 14x14 grey image (the default; the input follows the dataset's shape, <see cref="WithInput"/>).</summary>
    public const int InputWidth = 196;

    readonly int[] _widths;
    readonly int[] _offsets, _stateOffsets;
    readonly int[][] _inputs;
    readonly ILayer[] _layers;

    /// <summary>Throws <see cref="ArgumentException"/> naming <c>--layers</c> when the widths cannot make a network.</summary>
    public NetworkConfig(IReadOnlyList<int> widths, bool reluOnOutput = true)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count < 2)
            throw new ArgumentException($"--layers needs the input width and at least one layer (e.g. 196,200,10), got '{Format(widths)}'", nameof(widths));
        for (int i = 0; i < widths.Count; i++)
            if (widths[i] < 1)
                throw new ArgumentException($"--layers: every width must be at least 1, got {widths[i]} in '{Format(widths)}'", nameof(widths));

        _widths = widths.ToArray();
        ReluOnOutput = reluOnOutput;
        Input = LayerShape.Vector(_widths[0]);
        _layers = new ILayer[_widths.Length - 1];
        for (int l = 0; l < _layers.Length; l++)
            _layers[l] = new DenseLayer(_widths[l], _widths[l + 1], l < _layers.Length - 1 || reluOnOutput ? Activation.Relu : Activation.Identity);
        _inputs = Chain(_layers);
        (_offsets, ParameterCount) = Offsets(_layers, l => l.ParameterCount, Format(widths));
        _stateOffsets = new int[_layers.Length];
    }

    /// <summary>
    /// A layer list over <paramref name="input"/> (e.g. 1x14x14); each layer reads the previous one's output (a dense
    /// layer reads it flat: flatten is a view). <see cref="NetworkSpec.Parse"/> builds these from the command line.
    /// </summary>
    public NetworkConfig(LayerShape input, IReadOnlyList<ILayer> layers)
        : this(input, layers, Chain(layers), NetworkSpec.Format(input, layers ?? throw new ArgumentNullException(nameof(layers))))
    {
    }

    /// <summary>
    /// A graph of layers over <paramref name="input"/>: layer l reads the outputs of <paramref name="inputs"/>[l] (earlier
    /// layers' indices, −1 for the image), as many as its <see cref="ILayer.Arity"/>; the last layer's output is the
    /// embedding, and every other layer's output is read by a later one. <paramref name="spelling"/> is its canonical
    /// layer-list spelling (<see cref="NetworkSpec"/>).
    /// </summary>
    public NetworkConfig(LayerShape input, IReadOnlyList<ILayer> layers, IReadOnlyList<IReadOnlyList<int>> inputs, string spelling)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(inputs);
        LayerList = spelling;
        if (layers.Count == 0) throw new ArgumentException("--layers: a network needs at least one layer", nameof(layers));
        if (inputs.Count != layers.Count) throw new ArgumentException($"--layers '{spelling}': {inputs.Count} input lists for {layers.Count} layers", nameof(inputs));
        var read = new bool[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            if (inputs[l].Count != layer.Arity)
                throw new ArgumentException($"--layers '{spelling}': {layer} reads {layer.Arity} input(s), it was given {inputs[l].Count}", nameof(inputs));
            foreach (int source in inputs[l])
            {
                if (source < -1 || source >= l)
                    throw new ArgumentException($"--layers '{spelling}': layer {l} ({layer}) reads layer {source}, which does not come before it", nameof(inputs));
                var shape = source < 0 ? input : layers[source].Output;
                bool fits = layer.ReadsVectors && layer.Input.Height * layer.Input.Width == 1 ? layer.Input.Size == shape.Size : layer.Input == shape;
                if (!fits)
                    throw new ArgumentException($"--layers '{spelling}': {layer} reads {layer.Input}, but the layer before it gives {shape}", nameof(layers));
                if (source >= 0) read[source] = true;
            }
        }
        int unread = Array.IndexOf(read, false);
        if (unread >= 0 && unread < layers.Count - 1)
            throw new ArgumentException($"--layers '{spelling}': the output of layer {unread} ({layers[unread]}) is read by no later layer", nameof(inputs));
        Input = input;
        _layers = layers.ToArray();
        _inputs = inputs.Select(i => i.ToArray()).ToArray();
        _widths = [input.Size, .. _layers.Select(l => l.Output.Size)];
        ReluOnOutput = _layers[^1].Activation == Activation.Relu;
        (_offsets, ParameterCount) = Offsets(_layers, l => l.ParameterCount, LayerList);
        (_stateOffsets, StateCount) = Offsets(_layers, l => l.StateCount, LayerList);
    }

    static int[][] Chain(IReadOnlyList<ILayer>? layers) =>
        Enumerable.Range(0, layers?.Count ?? 0).Select(l => new[] { l - 1 }).ToArray();

    static (int[] Offsets, int Count) Offsets(ILayer[] layers, Func<ILayer, int> count, string spelling)
    {
        var offsets = new int[layers.Length];
        long offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            offsets[l] = (int)offset;
            offset += count(layers[l]);
            if (offset > int.MaxValue / 4)
                throw new ArgumentException($"--layers '{spelling}' has too many parameters ({offset:N0} and more)", nameof(layers));
        }
        return (offsets, (int)offset);
    }

    /// <summary>The exercise's network: 196-200-10, ReLU on both layers.</summary>
    public static NetworkConfig Default => new([InputWidth, 200, 10], reluOnOutput: true);

    /// <summary>The shape of one input row: e.g. 196 values for a widths network, or 1x14x14 for a layer list over the image.</summary>
    public LayerShape Input { get; }

    /// <summary>
    /// The same network over another input (a dataset's channels x size x size): a widths network's first width becomes
    /// the input's size; a layer list is read again from the new input shape (a dense layer after flatten takes whatever
    /// the convolutions and pools leave). This network itself when the input is already that shape. Throws an
    /// ArgumentException naming --layers when the layers do not fit the new input (e.g. more pools than the size allows).
    /// </summary>
    public NetworkConfig WithInput(LayerShape input)
    {
        if (LayerList is null)
            return _widths[0] == input.Size ? this : new NetworkConfig([input.Size, .. _widths.Skip(1)], ReluOnOutput);
        if (Input == input) return this;
        int comma = LayerList.IndexOf(',');
        string spelling = (input.Height == 1 && input.Width == 1 ? $"{input.Channels}" : $"{input.Channels}x{input.Height}x{input.Width}") + LayerList[comma..];
        return NetworkSpec.Parse(spelling);
    }

    /// <summary>The layer-list spelling (<see cref="NetworkSpec.Format"/>) when the network was made from one; null for a widths network.</summary>
    public string? LayerList { get; }

    /// <summary>Input width first, then each layer's output size (floats per row); the embedding width last.</summary>
    public IReadOnlyList<int> Widths => _widths;

    /// <summary>Whether the last layer is ReLU (a widths network: as given; a layer list: the last layer's activation).</summary>
    public bool ReluOnOutput { get; }

    /// <summary>Number of layers.</summary>
    public int LayerCount => _layers.Length;

    /// <summary>Width of the embedding (the last layer's output).</summary>
    public int OutputWidth => _widths[^1];

    /// <summary>The widest layer output, for sizing activation buffers.</summary>
    public int MaxLayerWidth => _widths.Skip(1).Max();

    /// <summary>Σ over the layers of their parameter counts.</summary>
    public int ParameterCount { get; }

    /// <summary>Floats per row of layer <paramref name="layer"/>'s input.</summary>
    public int InWidth(int layer) => _widths[layer];

    /// <summary>Floats per row of layer <paramref name="layer"/>'s output.</summary>
    public int OutWidth(int layer) => _widths[layer + 1];

    /// <summary>The activation after layer <paramref name="layer"/> (identity for a max-pool).</summary>
    public Activation ActivationOf(int layer) => _layers[layer].Activation;

    /// <summary>The layers in order (a topological order of the graph: every layer after those it reads).</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>The layers whose outputs layer <paramref name="layer"/> reads (−1: the network's input), in its inputs' order.</summary>
    public IReadOnlyList<int> InputsOf(int layer) => _inputs[layer];

    /// <summary>Whether every layer reads the one before it (a list without branches).</summary>
    public bool IsChain => _inputs.Select((i, l) => i.Length == 1 && i[0] == l - 1).All(c => c);

    /// <summary>Σ over the layers of their non-trained state (batch norm's running statistics).</summary>
    public int StateCount { get; }

    /// <summary>Offset of layer <paramref name="layer"/>'s slice of the state vector.</summary>
    public int StateOffset(int layer) => _stateOffsets[layer];

    /// <summary>Offset of layer <paramref name="layer"/>'s slice in the flat parameter vector.</summary>
    public int LayerOffset(int layer) => _offsets[layer];

    /// <summary>Offset of layer <paramref name="layer"/>'s weights in the flat parameter vector (its slice starts with them).</summary>
    public int WeightOffset(int layer) => _offsets[layer];

    /// <summary>Offset of layer <paramref name="layer"/>'s biases in the flat parameter vector (the end of its slice when it has none).</summary>
    public int BiasOffset(int layer) => _offsets[layer] + (_layers[layer].Tensors.FirstOrDefault(t => t.Name == "bias") is { Length: > 0 } b
        ? b.Offset
        : _layers[layer].ParameterCount);

    /// <summary>e.g. "196-200-10 (ReLU on output)", or the layer list "1x14x14,c32k3,p,c64k3,p,f,128,32l".</summary>
    public override string ToString() =>
        LayerList ?? $"{string.Join('-', _widths)} ({(ReluOnOutput ? "ReLU" : "linear")} on output)";

    public bool Equals(NetworkConfig? other) =>
        other is not null && ReluOnOutput == other.ReluOnOutput && LayerList == other.LayerList && _widths.AsSpan().SequenceEqual(other._widths);

    public override bool Equals(object? obj) => Equals(obj as NetworkConfig);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(ReluOnOutput);
        h.Add(LayerList);
        foreach (int w in _widths) h.Add(w);
        return h.ToHashCode();
    }

    static string Format(IReadOnlyList<int> widths) => string.Join(',', widths);
}
