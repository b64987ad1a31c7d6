using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// An element-wise activation as a layer of its own, over vectors or images of any shape: y = f(x) with f ReLU, sigmoid
/// or tanh (seed 003's embedding ends in a sigmoid; a ResNet v2 block applies ReLU after batch norm). No parameters; the
/// backward pass takes f' from the output. Spelled <c>relu</c>, <c>sigmoid</c>, <c>tanh</c>. ONNX: Relu, Sigmoid, Tanh.
/// </summary>
public sealed record ActivationLayer : ILayer
{
    public ActivationLayer(LayerShape input, Activation function)
    {
        if (function == Activation.Identity) throw new ArgumentException("an activation layer needs a function: relu, sigmoid or tanh", nameof(function));
        Input = input;
        Function = function;
    }

    static readonly Dictionary<string, Activation> Names = new()
    {
        ["relu"] = Activation.Relu,
        ["sigmoid"] = Activation.Sigmoid,
        ["tanh"] = Activation.Tanh,
    };

    /// <summary>The layer syntax's activation entry: relu, sigmoid or tanh.</summary>
    public static readonly LayerSyntax Syntax = new("relu | sigmoid | tanh", "element-wise activation as a layer of its own",
        Names.ContainsKey, (t, shape) => new ActivationLayer(shape, Names[t]));

    public LayerShape Input { get; }

    /// <summary>The function applied (never identity).</summary>
    public Activation Function { get; }

    public Activation Activation => Function;

    public LayerShape Output => Input;

    public int ParameterCount => 0;

    public IReadOnlyList<LayerTensor> Tensors => [];

    public string Token => Function.ToString().ToLowerInvariant();

    public void Initialize(Span<float> parameters, Rng rng)
    {
        if (parameters.Length != 0) throw new ArgumentException($"an activation has no parameters, got a slice of {parameters.Length}", nameof(parameters));
    }

    public void Forward(LayerPass p)
    {
        int n = p.Rows * Output.Size;
        p.Backend.ActivationForward(p.X, p.Output, n, Function);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, n, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    public void Backward(LayerPass p)
    {
        if (p.Dx is not { } dx) return;
        int n = p.Rows * Output.Size;
        var dy = p.Dy;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, n, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        // f' from the output, as the fused activations do; for ReLU a dropped unit's output is 0 and passes nothing back.
        p.Backend.ActivationBackward(p.Output, dy, n, Function);
        p.Backend.Copy(dy, dx, n);
    }

    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs) =>
        inputs[0] with { Name = w.Activate(Function, inputs[0].Name) };

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var y = new double[p.X.Length];
        Ref.Activations.Forward(p.X, y, y.Length, Function);
        if (p.Kinks is { } kinks && Function == Activation.Relu) kinks.AddRange(p.X.Select(Math.Abs));
        p.Output = y;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        p.ParameterGradient = [];
        if (!p.WantsInputGradient[0]) return;
        var dx = (double[])p.OutputGradient.Clone();
        Ref.Activations.Backward(p.Output, dx, dx.Length, Function);
        p.InputGradients[0] = dx;
    }

    public override string ToString() => Token;
}
