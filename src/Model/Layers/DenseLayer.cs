using System.Globalization;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// A fully connected layer y = act(x·W + b) over vectors, W [in, out] row-major then b [out] in its parameter slice.
/// Initialisation: ReLU layers He-uniform, W ~ U(−a, a) with a = sqrt(6 / in); linear layers Glorot-uniform,
/// a = sqrt(6 / (in + out)); biases zero. Spelled <c>N</c> (ReLU) or <c>Nl</c> (linear); it reads any row flat (after
/// <c>f</c>, an image's channels-last values). ONNX: Gemm, then the activation.
/// </summary>
public sealed record DenseLayer : ILayer
{
    public DenseLayer(int inWidth, int outWidth, Activation activation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        InWidth = inWidth;
        OutWidth = outWidth;
        Activation = activation;
    }

    /// <summary>The layer syntax's dense entry: a width, 'l' after it for linear.</summary>
    public static readonly LayerSyntax Syntax = new("N | Nl", "dense layer of N units, ReLU (Nl: linear); after an image it needs 'f'",
        t => t.Length > 0 && char.IsAsciiDigit(t[0]),
        (t, shape) =>
        {
            bool linear = t.EndsWith('l');
            string n = linear ? t[..^1] : t;
            if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int units) || units < 1)
                throw new ArgumentException("expected a dense width such as 128 or 32l, a convolution such as c32k3, p or f");
            return new DenseLayer(shape.Size, units, linear ? Activation.Identity : Activation.Relu);
        },
        NeedsFlatInput: true);

    public int InWidth { get; }

    public int OutWidth { get; }

    public Activation Activation { get; }

    public LayerShape Input => LayerShape.Vector(InWidth);

    public LayerShape Output => LayerShape.Vector(OutWidth);

    public int ParameterCount => WeightCount + OutWidth;

    int WeightCount => InWidth * OutWidth;

    public IReadOnlyList<LayerTensor> Tensors => [new("weight", 0, WeightCount), new("bias", WeightCount, OutWidth)];

    public string Token => $"{OutWidth}{(Activation == Activation.Identity ? "l" : "")}";

    /// <summary>W inside <paramref name="slice"/> (this layer's part of the flat buffer).</summary>
    public DeviceBuffer<float> Weights(DeviceBuffer<float> slice) => slice.Slice(0, WeightCount);

    /// <summary>b inside <paramref name="slice"/>.</summary>
    public DeviceBuffer<float> Biases(DeviceBuffer<float> slice) => slice.Slice(WeightCount, OutWidth);

    public void Initialize(Span<float> parameters, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"a {InWidth}->{OutWidth} dense layer has {ParameterCount} parameters, got a slice of {parameters.Length}", nameof(parameters));
        double a = Activation == Activation.Relu
            ? Math.Sqrt(6.0 / InWidth)
            : Math.Sqrt(6.0 / (InWidth + OutWidth));
        var w = parameters[..WeightCount];
        for (int k = 0; k < w.Length; k++) w[k] = (float)((2 * rng.NextDouble() - 1) * a);
        parameters[WeightCount..].Clear();
    }

    public void Forward(LayerPass p)
    {
        var values = p.Parameters.Values;
        p.Backend.DenseForward(p.X, Weights(values), Biases(values), p.Output, p.Rows, InWidth, OutWidth, Activation);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, p.Rows * OutWidth, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    public void Backward(LayerPass p)
    {
        // The same mask as the forward pass; ReLU' read from the masked output is 0 where a unit was dropped anyway.
        var dy = p.Dy;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, p.Rows * OutWidth, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        p.Backend.ActivationBackward(p.Output, dy, p.Rows * OutWidth, Activation);
        var gradients = p.Parameters.Gradients;
        p.Backend.DenseBackwardWeights(p.X, dy, Weights(gradients), Biases(gradients), p.Rows, InWidth, OutWidth);
        if (p.Dx is { } dx)
            p.Backend.DenseBackwardData(dy, Weights(p.Parameters.Values), dx, p.Rows, InWidth, OutWidth);
    }

    /// <summary>Gemm with W stored [in, out] as the checkpoint holds it, then the activation.</summary>
    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs)
    {
        var t = Tensors;
        string weight = w.Initializer("weight", [InWidth, OutWidth], w.Values(t[0]));
        string bias = w.Initializer("bias", [OutWidth], w.Values(t[1]));
        string z = w.Node("Gemm", "gemm", [inputs[0].Name, weight, bias]);
        return new OnnxValue(w.Activate(Activation, z), OnnxLayout.Vector, Output);
    }

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var (w, b) = (p.Slice(Tensors[0]), p.Slice(Tensors[1]));
        var y = new double[p.Rows * OutWidth];
        if (p.Kinks is { } kinks)
        {
            Ref.Dense.Forward(p.X, w, b, y, p.Rows, InWidth, OutWidth, Activation.Identity);
            if (Activation == Activation.Relu) kinks.AddRange(y.Select(Math.Abs));
        }
        Ref.Dense.Forward(p.X, w, b, y, p.Rows, InWidth, OutWidth, Activation);
        p.Output = y;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        var dy = (double[])p.OutputGradient.Clone();
        Ref.Dense.ActivationBackward(p.Output, dy, dy.Length, Activation);
        var dw = new double[WeightCount];
        var db = new double[OutWidth];
        Ref.Dense.BackwardWeights(p.X, dy, dw, db, p.Rows, InWidth, OutWidth);
        p.ParameterGradient = [.. dw, .. db];
        if (p.WantsInputGradient[0])
        {
            var dx = new double[p.Rows * InWidth];
            Ref.Dense.BackwardData(dy, p.Slice(Tensors[0]), dx, p.Rows, InWidth, OutWidth);
            p.InputGradients[0] = dx;
        }
    }

    public override string ToString() => Token;
}
