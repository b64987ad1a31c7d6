using System.Globalization;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Interchange;
using Ref = GpuSiamese.Kernels.Reference;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// Max-pooling over images stored channels last, k×k windows with stride s and padding p (padding never wins):
/// (C, H, W) → (C, ⌊(H + 2p − k)/s⌋ + 1, …), PyTorch's and ONNX's floor mode. No parameters. Spelled <c>p</c> for
/// today's 2×2 stride 2 (an odd last row or column dropped), which runs its own kernels, or <c>pKsS</c> and
/// <c>pKsSpP</c> (the ResNet stem's <c>p3s2p1</c>). The winner of each window is what the backward pass needs; the
/// winners go to the layer's scratch (<see cref="LayerParameters.Scratch"/>, kept by the network between passes), and
/// the backward pass recomputes them from x (the same maxima: the forward pass is exact) before routing dY to them, so
/// that it does not depend on which forward pass (training or evaluation) used the scratch last. ONNX: MaxPool with the
/// same kernel, strides and pads.
/// </summary>
public sealed record MaxPoolLayer : ILayer
{
    public MaxPoolLayer(LayerShape input, int kernel = 2, int stride = 2, int pad = 0)
    {
        if (IsTwoByTwo(kernel, stride, pad) && (input.Height < 2 || input.Width < 2))
            throw new ArgumentException($"a 2x2 max-pool needs an input of at least 2x2 pixels, got {input}", nameof(input));
        try
        {
            _ = new PoolGeometry(1, input.Height, input.Width, input.Channels, kernel, stride, pad);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"a {kernel}x{kernel} stride-{stride} max-pool padded by {pad} over {input}: {e.Message.Split(" (Parameter")[0]}", e);
        }
        Input = input;
        Kernel = kernel;
        Stride = stride;
        Pad = pad;
    }

    const string Form = "a max-pool is p (2x2, stride 2), pKsS or pKsSpP, e.g. p3s2p1 (3x3 windows, stride 2, padding 1)";

    /// <summary>The layer syntax's max-pool entry: p, or p&lt;K&gt;s&lt;S&gt;[p&lt;P&gt;].</summary>
    public static readonly LayerSyntax Syntax = new("p | pKsS[pP]", "max-pool: p 2x2 stride 2; pKsS[pP] KxK windows, stride S, padding P",
        t => t == "p" || (t.Length > 1 && t[0] == 'p' && char.IsAsciiDigit(t[1])),
        (t, shape) =>
        {
            if (t == "p") return new MaxPoolLayer(shape);
            var m = System.Text.RegularExpressions.Regex.Match(t, @"^p(\d+)s(\d+)(?:p(\d+))?$");
            if (!m.Success) throw new ArgumentException(Form);
            int Number(int group) => int.TryParse(m.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
                : throw new ArgumentException(Form);
            return new MaxPoolLayer(shape, Number(1), Number(2), m.Groups[3].Success ? Number(3) : 0);
        },
        NeedsImage: true, Noun: "max-pool");

    public LayerShape Input { get; }

    public int Kernel { get; }

    public int Stride { get; }

    public int Pad { get; }

    bool TwoByTwo => IsTwoByTwo(Kernel, Stride, Pad);

    static bool IsTwoByTwo(int kernel, int stride, int pad) => kernel == 2 && stride == 2 && pad == 0;

    /// <summary>The pool over <paramref name="rows"/> images.</summary>
    public PoolGeometry Geometry(int rows) => new(rows, Input.Height, Input.Width, Input.Channels, Kernel, Stride, Pad);

    public LayerShape Output
    {
        get
        {
            var g = Geometry(1);
            return new LayerShape(Input.Channels, g.OutHeight, g.OutWidth);
        }
    }

    public int ParameterCount => 0;

    public IReadOnlyList<LayerTensor> Tensors => [];

    public bool ReadsVectors => false;

    public string Token => TwoByTwo ? "p" : $"p{Kernel}s{Stride}{(Pad > 0 ? $"p{Pad}" : "")}";

    public void Initialize(Span<float> parameters, Rng rng)
    {
        if (parameters.Length != 0) throw new ArgumentException($"a max-pool has no parameters, got a slice of {parameters.Length}", nameof(parameters));
    }

    public void Forward(LayerPass p)
    {
        var winners = p.Parameters.Scratch.Ints(p.Rows * Output.Size);
        Pool(p, winners);
        if (p.Dropout.IsOn) p.Backend.Dropout(p.Output, p.Rows * Output.Size, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
    }

    /// <summary>Recomputes the winners into the scratch (and the maxima into y, which no later pass reads).</summary>
    public void Backward(LayerPass p)
    {
        if (p.Dx is not { } dx) return;
        var dy = p.Dy;
        if (p.Dropout.IsOn) p.Backend.Dropout(dy, p.Rows * Output.Size, p.Dropout.Probability, p.Dropout.Key, p.Dropout.Step);
        var winners = p.Parameters.Scratch.Ints(p.Rows * Output.Size);
        Pool(p, winners);
        if (TwoByTwo) p.Backend.MaxPoolBackward(dy, winners, dx, p.Rows, Input.Height, Input.Width, Input.Channels);
        else p.Backend.MaxPoolWindowBackward(dy, winners, dx, Geometry(p.Rows));
    }

    void Pool(LayerPass p, Backends.DeviceBuffer<int> winners)
    {
        if (TwoByTwo) p.Backend.MaxPoolForward(p.X, p.Output, winners, p.Rows, Input.Height, Input.Width, Input.Channels);
        else p.Backend.MaxPoolWindowForward(p.X, p.Output, winners, Geometry(p.Rows));
    }

    public OnnxValue EmitOnnx(OnnxLayerWriter w, IReadOnlyList<OnnxValue> inputs) =>
        new(w.Node("MaxPool", "maxpool", [inputs[0].Name],
            OnnxLayerWriter.Ints("kernel_shape", [Kernel, Kernel]),
            OnnxLayerWriter.Ints("strides", [Stride, Stride]),
            OnnxLayerWriter.Ints("pads", [Pad, Pad, Pad, Pad]),
            OnnxLayerWriter.Int("ceil_mode", 0)), OnnxLayout.Image, Output);

    public void ReferenceForward(ReferenceLayerPass p)
    {
        var y = new double[p.Rows * Output.Size];
        var winners = new int[y.Length];
        if (TwoByTwo) Ref.MaxPool.Forward(p.X, y, winners, p.Rows, Input.Height, Input.Width, Input.Channels);
        else Ref.MaxPool.WindowForward(p.X, y, winners, Geometry(p.Rows));
        p.Output = y;
        p.Saved = winners;
    }

    public void ReferenceBackward(ReferenceLayerPass p)
    {
        p.ParameterGradient = [];
        if (!p.WantsInputGradient[0]) return;
        var dx = new double[p.Rows * Input.Size];
        if (TwoByTwo) Ref.MaxPool.Backward(p.OutputGradient, (int[])p.Saved!, dx, p.Rows, Input.Height, Input.Width, Input.Channels);
        else Ref.MaxPool.WindowBackward(p.OutputGradient, (int[])p.Saved!, dx, Geometry(p.Rows));
        p.InputGradients[0] = dx;
    }

    public override string ToString() => Token;
}
