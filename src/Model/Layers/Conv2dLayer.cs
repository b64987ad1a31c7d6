using System.Globalization;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// A k×k convolution with stride s, y = act(conv(x, W) + b), with <c>same</c> padding as frameworks define it (output
/// ⌈size/s⌉, the odd padding pixel after the image) or <c>valid</c>, and with or without a bias (a bias before a batch norm
/// is wasted: the norm subtracts it again). Its rows are images stored channels last (y, x, c), as the kernels of
/// <see cref="Conv2dGeometry"/> read them; its parameter slice holds W [k, k, inC, outC] then b [outC] if it has one.
/// Initialisation: ReLU layers He-uniform with fan-in C·k·k, W ~ U(−a, a), a = sqrt(6 / (C·k·k)); linear layers
/// Glorot-uniform, a = sqrt(6 / (C·k·k + outC·k·k)); biases zero. Spelled <c>cNkK</c>, then <c>sS</c> for stride S,
/// <c>v</c> for valid padding, <c>n</c> for no bias, <c>l</c> for linear (else ReLU): <c>c128k3s2nl</c>. ONNX: Conv
/// with its weights reordered to [outC, inC, k, k] and explicit pads [top, left, bottom, right], then the activation.
/// </summary>
public sealed record Conv2dLayer : ILayer
{
    public Conv2dLayer(LayerShape input, int outChannels, int kernel, ConvPadding padding, Activation activation,
        int stride = 1, bool bias = true)
    {
        // The geometry checks what can be computed (odd k for 'same', a kernel that fits for 'valid').
        try
        {
            _ = new Conv2dGeometry(1, input.Height, input.Width, input.Channels, outChannels, kernel, padding, stride);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"a {kernel}x{kernel}{(stride > 1 ? $" stride-{stride}" : "")} {padding.ToString().ToLowerInvariant()} convolution to {outChannels} channels over {input}: {e.Message.Split(" (Parameter")[0]}", e);
        }
        Input = input;
        OutChannels = outChannels;
        Kernel = kernel;
        Padding = padding;
        Activation = activation;
        Stride = stride;
        HasBias = bias;
    }

    const string Form = "a convolution is cNkK, e.g. c32k3 (32 channels, 3x3, same padding), c32k3v (valid), c32k3l (linear), c64k3s2n (stride 2, no bias)";

    /// <summary>The layer syntax's convolution entry: c&lt;N&gt;k&lt;K&gt;[s&lt;S&gt;][v][n][l].</summary>
    public static readonly LayerSyntax Syntax = new("cNkK[sS][v][n][l]",
        "KxK convolution to N channels (same padding as frameworks define it; sS: stride S; v: valid; n: no bias; l: linear, else ReLU)",
        t => t.Length > 1 && t[0] == 'c' && char.IsAsciiDigit(t[1]),
        (t, shape) =>
        {
            var m = System.Text.RegularExpressions.Regex.Match(t, @"^c(\d+)k(\d+)(?:s(\d+))?([vnl]*)$");
            if (!m.Success) throw new ArgumentException(Form);
            string flags = m.Groups[4].Value;
            if (flags.Distinct().Count() != flags.Length) throw new ArgumentException(Form);
            if (!int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int channels) || channels < 1 ||
                !int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int kernel) || kernel < 1)
                throw new ArgumentException(Form);
            int stride = 1;
            if (m.Groups[3].Success && !int.TryParse(m.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out stride))
                throw new ArgumentException(Form);
            return new Conv2dLayer(shape, channels, kernel, flags.Contains('v') ? ConvPadding.Valid : ConvPadding.Same,
                flags.Contains('l') ? Activation.Identity : Activation.Relu, stride, bias: !flags.Contains('n'));
        },
        NeedsImage: true, Noun: "convolution");

    public LayerShape Input { get; }

    public int OutChannels { get; }

    public int Kernel { get; }

    public ConvPadding Padding { get; }

    public Activation Activation { get; }

    /// <summary>The step between neighbouring output pixels' patches (1 or more).</summary>
    public int Stride { get; }

    /// <summary>Whether the layer adds a bias (a convolution followed by a batch norm needs none).</summary>
    public bool HasBias { get; }

    public bool ReadsVectors => false;

    public LayerShape Output
    {
        get
        {
            var g = Geometry(1);
            return new LayerShape(OutChannels, g.OutHeight, g.OutWidth);
        }
    }

    /// <summary>The convolution over <paramref name="rows"/> images.</summary>
    public Conv2dGeometry Geometry(int rows) =>
        new(rows, Input.Height, Input.Width, Input.Channels, OutChannels, Kernel, Padding, Stride);

    int WeightCount => Kernel * Kernel * Input.Channels * OutChannels;

    int BiasCount => HasBias ? OutChannels : 0;

    public int ParameterCount => WeightCount + BiasCount;

    public IReadOnlyList<LayerTensor> Tensors =>
        HasBias ? [new("weight", 0, WeightCount), new("bias", WeightCount, OutChannels)] : [new("weight", 0, WeightCount)];

    public string Token => $"c{OutChannels}k{Kernel}{(Stride > 1 ? $"s{Stride}" : "")}{(Padding == ConvPadding.Valid ? "v" : "")}" +
        $"{(HasBias ? "" : "n")}{(Activation == Activation.Identity ? "l" : "")}";

    /// <summary>W inside <paramref name="slice"/> (this layer's part of the flat buffer).</summary>
    public DeviceBuffer<float> Weights(DeviceBuffer<float> slice) => slice.Slice(0, WeightCount);

    /// <summary>b inside <paramref name="slice"/> (the layer must have a bias).</summary>
    public DeviceBuffer<float> Biases(DeviceBuffer<float> slice) =>
        HasBias ? slice.Slice(WeightCount, OutChannels) : throw new InvalidOperationException($"{this} has no bias");

    /// <summary>The bias a pass adds (zeros without one) and where its gradient goes (a scratch sink without one).</summary>
    (DeviceBuffer<float> Values, DeviceBuffer<float> Gradients) BiasBuffers(LayerParameters p) => HasBias
        ? (Biases(p.Values), Biases(p.Gradients))
        : (p.Scratch.Zeros(OutChannels), p.Scratch.Floats(OutChannels, slot: 1));

    public void Initialize(Span<float> parameters, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"{this} has {ParameterCount} parameters, got a slice of {parameters.Length}", nameof(parameters));
        int fanIn = Input.Channels * Kernel * Kernel, fanOut = OutChannels * Kernel * Kernel;
        double a = Activation == Activation.Relu ? Math.Sqrt(6.0 / fanIn) : Math.Sqrt(6.0 / (fanIn + fanOut));
        var w = parameters[..WeightCount];
        for (int k = 0; k < w.Length; k++) w[k] = (float)((2 * rng.NextDouble() - 1) * a);
        parameters[WeightCount..].Clear();
    }

    public void Forward(LayerPass p)
    {
        p.Backend.Conv2dForward(p.X, Weights(p.Parameters.Values), BiasBuffers(p.Parameters).Values, p.Output, Geometry(p.Rows), Activation);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, p.Rows * Output.Size, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    public void Backward(LayerPass p)
    {
        var dy = p.Dy;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, p.Rows * Output.Size, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        p.Backend.ActivationBackward(p.Output, dy, p.Rows * Output.Size, Activation);
        var g = Geometry(p.Rows);
        p.Backend.Conv2dBackwardWeights(p.X, dy, Weights(p.Parameters.Gradients), BiasBuffers(p.Parameters).Gradients, g);
        if (p.Dx is { } dx) p.Backend.Conv2dBackwardData(dy, Weights(p.Parameters.Values), dx, g);
    }

    /// <summary>
    /// Conv (pads [top, left, bottom, right] of the geometry), then the activation. Our W is [k, k, inC, outC]; ONNX's is
    /// [outC, inC, k, k], so the weights are reordered: W'[o, c, i, j] = W[i, j, c, o].
    /// </summary>
    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs)
    {
        var g = Geometry(1);
        var source = w.Values(Tensors[0]);
        var reordered = new float[g.WeightCount];
        for (int o = 0; o < g.OutChannels; o++)
            for (int c = 0; c < g.InChannels; c++)
                for (int i = 0; i < g.Kernel; i++)
                    for (int j = 0; j < g.Kernel; j++)
                        reordered[((o * g.InChannels + c) * g.Kernel + i) * g.Kernel + j] =
                            source[((i * g.Kernel + j) * g.InChannels + c) * g.OutChannels + o];
        string weight = w.Initializer("weight", [g.OutChannels, g.InChannels, g.Kernel, g.Kernel], reordered);
        string[] operands = HasBias
            ? [inputs[0].Name, weight, w.Initializer("bias", [g.OutChannels], w.Values(Tensors[1]))]
            : [inputs[0].Name, weight];
        string z = w.Node("Conv", "conv", operands,
            OnnxLayerWriter.Ints("kernel_shape", [g.Kernel, g.Kernel]),
            OnnxLayerWriter.Ints("strides", [g.Stride, g.Stride]),
            OnnxLayerWriter.Ints("pads", [g.PadTop, g.PadLeft, g.PadBottom, g.PadRight]),
            OnnxLayerWriter.Ints("dilations", [1, 1]));
        return new OnnxValue(w.Activate(Activation, z), OnnxLayout.Image, Output);
    }

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var (w, b) = (p.Slice(Tensors[0]), HasBias ? p.Slice(Tensors[1]) : new double[OutChannels]);
        var g = Geometry(p.Rows);
        var y = new double[p.Rows * Output.Size];
        if (p.Kinks is { } kinks)
        {
            Ref.Conv2d.Forward(p.X, w, b, y, g, Activation.Identity);
            if (Activation == Activation.Relu) kinks.AddRange(y.Select(Math.Abs));
        }
        Ref.Conv2d.Forward(p.X, w, b, y, g, Activation);
        p.Output = y;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        var g = Geometry(p.Rows);
        var dy = (double[])p.OutputGradient.Clone();
        Ref.Dense.ActivationBackward(p.Output, dy, dy.Length, Activation);
        var dw = new double[g.WeightCount];
        var db = new double[g.OutChannels];
        Ref.Conv2d.BackwardWeights(p.X, dy, dw, db, g);
        p.ParameterGradient = HasBias ? [.. dw, .. db] : dw;
        if (p.WantsInputGradient[0])
        {
            var dx = new double[p.Rows * Input.Size];
            Ref.Conv2d.BackwardData(dy, p.Slice(Tensors[0]), dx, g);
            p.InputGradients[0] = dx;
        }
    }

    public override string ToString() => Token;
}
