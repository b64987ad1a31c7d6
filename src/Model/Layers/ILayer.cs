using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Interchange;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// One kind of node of the shared network G, and everything about it in one place: its shapes, its trainable tensors
/// (<see cref="Tensors"/>, a slice of the one flat parameter vector) and its non-trained state (a slice of the state
/// vector: batch norm's running statistics, saved and exported, never optimised), its initialisation, its forward and
/// backward passes as calls of <see cref="Backends.IBackend"/> operations in a <see cref="PassMode"/>, its spelling in
/// the layer syntax (<see cref="Token"/>; parsing is its entry in <see cref="LayerKinds"/>), its ONNX nodes
/// (<see cref="EmitOnnx"/>) and its double-precision twin (<see cref="ReferenceForward"/>, <see cref="ReferenceBackward"/>)
/// that the whole-model gradient check and the ONNX comparison run. A layer is immutable and holds no buffers: the
/// executor (<see cref="Network"/>, <see cref="Training.NetworkStep"/>) hands it its slices and its inputs' and
/// output's buffers, each <c>rows</c> rows of <see cref="Input"/>.Size or <see cref="Output"/>.Size floats. Which
/// earlier nodes it reads is the graph's (<see cref="NetworkConfig.InputsOf"/>); both images of a pair (three of a
/// triplet) are rows of one batch.
/// </summary>
public interface ILayer
{
    /// <summary>One row of each input.</summary>
    LayerShape Input { get; }

    /// <summary>How many inputs the node reads (a residual add: two of the same shape).</summary>
    int Arity => 1;

    /// <summary>One row of output.</summary>
    LayerShape Output { get; }

    /// <summary>Floats of this layer in the flat parameter vector (0 for a layer without parameters).</summary>
    int ParameterCount { get; }

    /// <summary>Floats of non-trained state (0 for most layers).</summary>
    int StateCount => 0;

    /// <summary>The named parts of its parameter slice, then of its state slice (weights before biases).</summary>
    IReadOnlyList<LayerTensor> Tensors { get; }

    /// <summary>The element-wise function the layer ends with (identity when none): ReLU's kink, the output's ReLU flag.</summary>
    Activation Activation => Activation.Identity;

    /// <summary>Whether a flattened vector may feed it (dense, batch norm, activations, add) or it needs an image (conv, pools).</summary>
    bool ReadsVectors => true;

    /// <summary>Its token in the layer syntax (what <see cref="LayerKinds"/> parses back into this layer over the same input).</summary>
    string Token { get; }

    /// <summary>
    /// Writes the layer's initial parameters into <paramref name="parameters"/> (its slice of the flat vector),
    /// drawing from <paramref name="rng"/> in a fixed order: the draws of every layer, in network order, make a run's
    /// initial weights.
    /// </summary>
    void Initialize(Span<float> parameters, Rng rng);

    /// <summary>The initial non-trained state (e.g. running mean 0 and variance 1); draws nothing.</summary>
    void InitializeState(Span<float> state)
    {
    }

    /// <summary>Output ← layer(inputs) over the pass's rows in its mode, then its dropout on the output when it is on.</summary>
    void Forward(LayerPass pass);

    /// <summary>
    /// From dL/d(output) (<see cref="LayerPass.OutputGradient"/>, which the layer may overwrite) and the forward pass's
    /// inputs and output: overwrites this layer's slice of the gradient buffer with dL/dθ, and each non-null entry of
    /// <see cref="LayerPass.InputGradients"/> with dL/d(input) (the network's image needs none). The pass's dropout
    /// is the forward pass's.
    /// </summary>
    void Backward(LayerPass pass);

    /// <summary>The ONNX nodes of this layer over its inputs' values; returns the output's value.</summary>
    OnnxValue EmitOnnx(OnnxLayerWriter writer, IReadOnlyList<OnnxValue> inputs);

    /// <summary>The forward pass in double precision, from the definition (what the kernels are held to).</summary>
    void ReferenceForward(ReferenceLayerPass pass);

    /// <summary>The backward pass in double precision: the parameter gradient and each wanted input gradient.</summary>
    void ReferenceBackward(ReferenceLayerPass pass);
}

/// <summary>A named part of a layer's parameter (or state) slice: e.g. "weight" [in, out] at 0, "bias" [out] after it.</summary>
public readonly record struct LayerTensor(string Name, int Offset, int Length, bool IsState = false);
