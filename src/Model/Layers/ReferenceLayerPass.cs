namespace GpuSiamese.Model.Layers;

/// <summary>
/// One node's pass in double precision (its kind's twin, <see cref="ILayer.ReferenceForward"/> and
/// <see cref="ILayer.ReferenceBackward"/>): its slices of θ and of the state, its inputs, rows and mode. The forward
/// pass sets <see cref="Output"/> (and may keep what its backward pass needs in <see cref="Saved"/>, and update the
/// state in training mode); the backward pass reads <see cref="OutputGradient"/> and sets
/// <see cref="ParameterGradient"/> and every input gradient that <see cref="WantsInputGradient"/> asks for.
/// </summary>
public sealed class ReferenceLayerPass
{
    public required double[] Parameters { get; init; }

    public required double[] State { get; init; }

    public required double[][] Inputs { get; init; }

    public required int Rows { get; init; }

    public PassMode Mode { get; init; } = PassMode.Scoring;

    /// <summary>Where a forward pass reports how close it came to a point where it is not differentiable (ReLU's
    /// pre-activations: |z|), so that a gradient check can choose inputs away from them; null when nobody asks.</summary>
    public List<double>? Kinks { get; init; }

    public double[] Output { get; set; } = [];

    /// <summary>What the forward pass keeps for the backward pass (a max-pool's winners, a batch norm's statistics).</summary>
    public object? Saved { get; set; }

    public double[] OutputGradient { get; set; } = [];

    /// <summary>Which inputs need their gradient (false for the network's image).</summary>
    public bool[] WantsInputGradient { get; set; } = [];

    public double[]?[] InputGradients { get; set; } = [];

    public double[] ParameterGradient { get; set; } = [];

    /// <summary>The first input.</summary>
    public double[] X => Inputs[0];

    /// <summary>A slice of <see cref="Parameters"/> as a new array (a tensor of <see cref="ILayer.Tensors"/>).</summary>
    public double[] Slice(LayerTensor t) => (t.IsState ? State : Parameters).AsSpan(t.Offset, t.Length).ToArray();
}
