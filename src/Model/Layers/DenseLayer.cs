using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// A fully connected layer y = act(x·W + b) over vectors, W [in, out] row-major then b [out] in its parameter slice.
/// Initialisation: ReLU layers He-uniform, W ~ U(−a, a) with a = sqrt(6 / in); linear layers Glorot-uniform,
/// a = sqrt(6 / (in + out)); biases zero.
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

    public int InWidth { get; }

    public int OutWidth { get; }

    public Activation Activation { get; }

    public LayerShape Input => LayerShape.Vector(InWidth);

    public LayerShape Output => LayerShape.Vector(OutWidth);

    public int ParameterCount => WeightCount + OutWidth;

    int WeightCount => InWidth * OutWidth;

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

    public void Forward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y, int rows,
        LayerDropout dropout)
    {
        backend.DenseForward(x, Weights(parameters.Values), Biases(parameters.Values), y, rows, InWidth, OutWidth, Activation);
        if (dropout.IsOn) backend.Dropout(y, rows * OutWidth, dropout.Probability, dropout.Key, dropout.Step);
    }

    public void Backward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y,
        DeviceBuffer<float> dy, DeviceBuffer<float>? dx, int rows, LayerDropout dropout)
    {
        // The same mask as the forward pass; ReLU' read from the masked output is 0 where a unit was dropped anyway.
        if (dropout.IsOn) backend.Dropout(dy, rows * OutWidth, dropout.Probability, dropout.Key, dropout.Step);
        backend.ActivationBackward(y, dy, rows * OutWidth, Activation);
        backend.DenseBackwardWeights(x, dy, Weights(parameters.Gradients), Biases(parameters.Gradients), rows, InWidth, OutWidth);
        if (dx is not null)
            backend.DenseBackwardData(dy, Weights(parameters.Values), dx, rows, InWidth, OutWidth);
    }
}
