using GpuSiamese.Data;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// 2×2 max-pooling with stride 2 over images stored channels last: (C, H, W) → (C, H/2, W/2), an odd last row or
/// column dropped. No parameters. The winner of each window is what the backward pass needs; the winners go to the
/// layer's scratch (<see cref="LayerParameters.Scratch"/>, kept by the network between passes), and the backward pass
/// recomputes them from x (the same maxima: the forward pass is exact) before routing dY to them, so that it does not
/// depend on which forward pass (training or evaluation) used the scratch last. Spelled <c>p</c>. ONNX: MaxPool 2x2
/// stride 2 (floor mode drops an odd last row or column, as ours does).
/// </summary>
public sealed record MaxPoolLayer : ILayer
{
    public MaxPoolLayer(LayerShape input)
    {
        if (input.Height < 2 || input.Width < 2)
            throw new ArgumentException($"a 2x2 max-pool needs an input of at least 2x2 pixels, got {input}", nameof(input));
        Input = input;
    }

    /// <summary>The layer syntax's max-pool entry: p.</summary>
    public static readonly LayerSyntax Syntax = new("p", "2x2 max-pool, stride 2",
        t => t == "p", (_, shape) => new MaxPoolLayer(shape), NeedsImage: true, Noun: "max-pool");

    public LayerShape Input { get; }

    public LayerShape Output => new(Input.Channels, Input.Height / 2, Input.Width / 2);

    public int ParameterCount => 0;

    public IReadOnlyList<LayerTensor> Tensors => [];

    public bool ReadsVectors => false;

    public string Token => "p";

    public void Initialize(Span<float> parameters, Rng rng)
    {
        if (parameters.Length != 0) throw new ArgumentException($"a max-pool has no parameters, got a slice of {parameters.Length}", nameof(parameters));
    }

    public void Forward(LayerPass p)
    {
        var winners = p.Parameters.Scratch.Ints(p.Rows * Output.Size);
        p.Backend.MaxPoolForward(p.X, p.Output, winners, p.Rows, Input.Height, Input.Width, Input.Channels);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, p.Rows * Output.Size, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    /// <summary>Recomputes the winners into the scratch (and the maxima into y, which no later pass reads).</summary>
    public void Backward(LayerPass p)
    {
        if (p.Dx is not { } dx) return;
        var dy = p.Dy;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, p.Rows * Output.Size, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        var winners = p.Parameters.Scratch.Ints(p.Rows * Output.Size);
        p.Backend.MaxPoolForward(p.X, p.Output, winners, p.Rows, Input.Height, Input.Width, Input.Channels);
        p.Backend.MaxPoolBackward(dy, winners, dx, p.Rows, Input.Height, Input.Width, Input.Channels);
    }

    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs) =>
        new(w.Node("MaxPool", "maxpool", [inputs[0].Name],
            OnnxLayerWriter.Ints("kernel_shape", [2, 2]),
            OnnxLayerWriter.Ints("strides", [2, 2]),
            OnnxLayerWriter.Int("ceil_mode", 0)), OnnxLayout.Image, Output);

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var y = new double[p.Rows * Output.Size];
        var winners = new int[y.Length];
        Ref.MaxPool.Forward(p.X, y, winners, p.Rows, Input.Height, Input.Width, Input.Channels);
        p.Output = y;
        p.Saved = winners;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        p.ParameterGradient = [];
        if (!p.WantsInputGradient[0]) return;
        var dx = new double[p.Rows * Input.Size];
        Ref.MaxPool.Backward(p.OutputGradient, (int[])p.Saved!, dx, p.Rows, Input.Height, Input.Width, Input.Channels);
        p.InputGradients[0] = dx;
    }

    public override string ToString() => Token;
}
