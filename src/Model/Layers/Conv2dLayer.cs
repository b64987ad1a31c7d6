using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// A k×k stride-1 convolution y = act(conv(x, W) + b) with <c>same</c> or <c>valid</c> padding. Its rows are
/// images stored channels last (y, x, c), as the kernels of <see cref="Conv2dGeometry"/> read them; its parameter
/// slice holds W [k, k, inC, outC] then b [outC]. Initialisation: ReLU layers He-uniform with fan-in C·k·k,
/// W ~ U(−a, a), a = sqrt(6 / (C·k·k)); linear layers Glorot-uniform, a = sqrt(6 / (C·k·k + outC·k·k)); biases zero.
/// </summary>
public sealed record Conv2dLayer : ILayer
{
    public Conv2dLayer(LayerShape input, int outChannels, int kernel, ConvPadding padding, Activation activation)
    {
        // The geometry checks what can be computed (odd k for 'same', a kernel that fits for 'valid').
        try
        {
            _ = new Conv2dGeometry(1, input.Height, input.Width, input.Channels, outChannels, kernel, padding);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"a {kernel}x{kernel} {padding.ToString().ToLowerInvariant()} convolution to {outChannels} channels over {input}: {e.Message.Split(" (Parameter")[0]}", e);
        }
        Input = input;
        OutChannels = outChannels;
        Kernel = kernel;
        Padding = padding;
        Activation = activation;
    }

    public LayerShape Input { get; }

    public int OutChannels { get; }

    public int Kernel { get; }

    public ConvPadding Padding { get; }

    public Activation Activation { get; }

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
        new(rows, Input.Height, Input.Width, Input.Channels, OutChannels, Kernel, Padding);

    int WeightCount => Kernel * Kernel * Input.Channels * OutChannels;

    public int ParameterCount => WeightCount + OutChannels;

    /// <summary>W inside <paramref name="slice"/> (this layer's part of the flat buffer).</summary>
    public DeviceBuffer<float> Weights(DeviceBuffer<float> slice) => slice.Slice(0, WeightCount);

    /// <summary>b inside <paramref name="slice"/>.</summary>
    public DeviceBuffer<float> Biases(DeviceBuffer<float> slice) => slice.Slice(WeightCount, OutChannels);

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

    public void Forward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y, int rows,
        LayerDropout dropout)
    {
        backend.Conv2dForward(x, Weights(parameters.Values), Biases(parameters.Values), y, Geometry(rows), Activation);
        if (dropout.IsOn) backend.Dropout(y, rows * Output.Size, dropout.Probability, dropout.Key, dropout.Step);
    }

    public void Backward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y,
        DeviceBuffer<float> dy, DeviceBuffer<float>? dx, int rows, LayerDropout dropout)
    {
        if (dropout.IsOn) backend.Dropout(dy, rows * Output.Size, dropout.Probability, dropout.Key, dropout.Step);
        backend.ActivationBackward(y, dy, rows * Output.Size, Activation);
        var g = Geometry(rows);
        backend.Conv2dBackwardWeights(x, dy, Weights(parameters.Gradients), Biases(parameters.Gradients), g);
        if (dx is not null) backend.Conv2dBackwardData(dy, Weights(parameters.Values), dx, g);
    }

    public override string ToString() => NetworkSpec.Token(this);
}
