using GpuSiamese.Data;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// Global average pooling: each channel's mean over the image, (C, H, W) → the vector C (a ResNet's head before its dense
/// layer; a dense layer may follow without 'f'). No parameters. Spelled <c>gap</c>. ONNX: GlobalAveragePool, whose
/// [batch, C, 1, 1] the walker flattens where a layer reads vectors.
/// </summary>
public sealed record GlobalAveragePoolLayer : ILayer
{
    public GlobalAveragePoolLayer(LayerShape input)
    {
        Input = input;
    }

    /// <summary>The layer syntax's global-pool entry: gap.</summary>
    public static readonly LayerSyntax Syntax = new("gap", "global average pool: each channel's mean over the image, giving a vector",
        t => t == "gap", (_, shape) => new GlobalAveragePoolLayer(shape), NeedsImage: true, Noun: "global average pool");

    public LayerShape Input { get; }

    public LayerShape Output => LayerShape.Vector(Input.Channels);

    int Pixels => Input.Height * Input.Width;

    public int ParameterCount => 0;

    public IReadOnlyList<LayerTensor> Tensors => [];

    public bool ReadsVectors => false;

    public string Token => "gap";

    public void Initialize(Span<float> parameters, Rng rng)
    {
        if (parameters.Length != 0) throw new ArgumentException($"a global pool has no parameters, got a slice of {parameters.Length}", nameof(parameters));
    }

    public void Forward(LayerPass p)
    {
        p.Backend.GlobalAveragePoolForward(p.X, p.Output, p.Rows, Pixels, Input.Channels);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, p.Rows * Input.Channels, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    public void Backward(LayerPass p)
    {
        if (p.Dx is not { } dx) return;
        var dy = p.Dy;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, p.Rows * Input.Channels, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        p.Backend.GlobalAveragePoolBackward(dy, dx, p.Rows, Pixels, Input.Channels);
    }

    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs) =>
        new(w.Node("GlobalAveragePool", "gap", [inputs[0].Name]), OnnxLayout.Image, new LayerShape(Input.Channels, 1, 1));

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var y = new double[p.Rows * Input.Channels];
        Ref.GlobalPool.AverageForward(p.X, y, p.Rows, Pixels, Input.Channels);
        p.Output = y;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        p.ParameterGradient = [];
        if (!p.WantsInputGradient[0]) return;
        var dx = new double[p.Rows * Input.Size];
        Ref.GlobalPool.AverageBackward(p.OutputGradient, dx, p.Rows, Pixels, Input.Channels);
        p.InputGradients[0] = dx;
    }

    public override string ToString() => Token;
}
