using GpuSiamese.Kernels;
using GpuSiamese.Model.Layers;
using Onnx;

namespace GpuSiamese.Model.Interchange;

/// <summary>How a value of the exported graph holds a layer's rows: an NCHW image [batch, C, H, W] or a vector [batch, F].</summary>
public enum OnnxLayout
{
    Image,
    Vector,
}

/// <summary>A value of the exported graph: its name, its layout, and the layer shape it carries.</summary>
public readonly record struct OnnxValue(string Name, OnnxLayout Layout, LayerShape Shape);

/// <summary>
/// What one layer needs to write its ONNX nodes (<see cref="ILayer.EmitOnnx"/>): its index (names are
/// <c>layer{index}/…</c>), its slices of the parameters and the state, and the graph to add initializers (once: the
/// pair graph's second branch shares the first's) and nodes to. Images inside the graph are NCHW, as ONNX's operators
/// want; the walker (<see cref="OnnxExport"/>) flattens an image into our channels-last order before a layer that reads
/// vectors.
/// </summary>
public sealed class OnnxLayerWriter
{
    readonly GraphProto _graph;
    readonly float[] _parameters, _state;
    readonly int _parameterOffset, _stateOffset;
    readonly bool _addWeights;

    internal OnnxLayerWriter(GraphProto graph, int index, string prefix, bool addWeights,
        float[] parameters, int parameterOffset, float[] state, int stateOffset)
    {
        _graph = graph;
        Index = index;
        Prefix = prefix;
        _addWeights = addWeights;
        _parameters = parameters;
        _parameterOffset = parameterOffset;
        _state = state;
        _stateOffset = stateOffset;
    }

    /// <summary>The layer's position in the network.</summary>
    public int Index { get; }

    /// <summary>What every node and intermediate name of this branch starts with ("" or "a/", "b/").</summary>
    public string Prefix { get; }

    /// <summary>The values of one of the layer's tensors (parameters or state).</summary>
    public ReadOnlySpan<float> Values(LayerTensor t) =>
        t.IsState ? _state.AsSpan(_stateOffset + t.Offset, t.Length) : _parameters.AsSpan(_parameterOffset + t.Offset, t.Length);

    /// <summary>
    /// The initializer <c>layer{index}/{name}</c> holding <paramref name="values"/> as <paramref name="dims"/>, added by
    /// the first branch only; returns its name.
    /// </summary>
    public string Initializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        string full = $"layer{Index}/{name}";
        if (_addWeights) _graph.Initializer.Add(OnnxProtos.FloatTensor(full, dims, values));
        return full;
    }

    /// <summary>A node <paramref name="op"/> whose name and single output are <c>{prefix}layer{index}/{suffix}</c>.</summary>
    public string Node(string op, string suffix, string[] inputs, params AttributeProto[] attributes)
    {
        string name = $"{Prefix}layer{Index}/{suffix}";
        _graph.Node.Add(OnnxProtos.Node(op, name, inputs, [name], attributes));
        return name;
    }

    /// <summary><paramref name="z"/> through the activation's node (nothing for identity).</summary>
    public string Activate(Activation activation, string z) => activation switch
    {
        Activation.Identity => z,
        Activation.Relu => Node("Relu", "relu", [z]),
        Activation.Sigmoid => Node("Sigmoid", "sigmoid", [z]),
        Activation.Tanh => Node("Tanh", "tanh", [z]),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "no ONNX form"),
    };

    public static AttributeProto Int(string name, long value) => OnnxProtos.Int(name, value);

    public static AttributeProto Ints(string name, long[] values) => OnnxProtos.Ints(name, values);

    public static AttributeProto Float(string name, float value) => OnnxProtos.Float(name, value);
}
