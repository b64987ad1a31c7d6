using GpuSiamese.Data;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// A residual connection's sum y = a + b of two outputs of the same shape (a block's last layer and its shortcut); the
/// backward pass sends dY to both (the executor adds it to whatever else reads them). No parameters. It is not spelled
/// on its own: a residual block <c>[…]</c> or <c>rN</c> in the layer syntax makes it (<see cref="NetworkSpec"/>). ONNX: Add.
/// </summary>
public sealed record AddLayer : ILayer
{
    public AddLayer(LayerShape input)
    {
        Input = input;
    }

    public LayerShape Input { get; }

    public int Arity => 2;

    public LayerShape Output => Input;

    public int ParameterCount => 0;

    public IReadOnlyList<LayerTensor> Tensors => [];

    public string Token => "add";

    public void Initialize(Span<float> parameters, Rng rng)
    {
        if (parameters.Length != 0) throw new ArgumentException($"an add has no parameters, got a slice of {parameters.Length}", nameof(parameters));
    }

    public void Forward(LayerPass p)
    {
        int n = p.Rows * Output.Size;
        p.Backend.Add(p.Inputs[0], p.Inputs[1], p.Output, n);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, n, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    public void Backward(LayerPass p)
    {
        int n = p.Rows * Output.Size;
        var dy = p.Dy;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, n, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        foreach (var dx in p.InputGradients)
            if (dx is not null) p.Backend.Copy(dy, dx, n);
    }

    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs) =>
        inputs[0] with { Name = w.Node("Add", "add", [inputs[0].Name, inputs[1].Name]) };

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var y = new double[p.X.Length];
        Ref.Elementwise.Add(p.Inputs[0], p.Inputs[1], y, y.Length);
        p.Output = y;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        p.ParameterGradient = [];
        for (int i = 0; i < 2; i++)
            if (p.WantsInputGradient[i]) p.InputGradients[i] = (double[])p.OutputGradient.Clone();
    }

    public override string ToString() => Token;
}
