using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// 2×2 max-pooling with stride 2 over images stored channels last: (C, H, W) → (C, H/2, W/2), an odd last row or
/// column dropped. No parameters. The winner of each window is what the backward pass needs; the winners go to the
/// layer's scratch (<see cref="LayerParameters.Scratch"/>, kept by the network between passes), and the backward pass
/// recomputes them from x (the same maxima: the forward pass is exact) before routing dY to them, so that it does not
/// depend on which forward pass (training or evaluation) used the scratch last.
/// </summary>
public sealed record MaxPoolLayer : ILayer
{
    public MaxPoolLayer(LayerShape input)
    {
        if (input.Height < 2 || input.Width < 2)
            throw new ArgumentException($"a 2x2 max-pool needs an input of at least 2x2 pixels, got {input}", nameof(input));
        Input = input;
    }

    public LayerShape Input { get; }

    public LayerShape Output => new(Input.Channels, Input.Height / 2, Input.Width / 2);

    public int ParameterCount => 0;

    public void Initialize(Span<float> parameters, Rng rng)
    {
        if (parameters.Length != 0) throw new ArgumentException($"a max-pool has no parameters, got a slice of {parameters.Length}", nameof(parameters));
    }

    public void Forward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y, int rows,
        LayerDropout dropout)
    {
        var winners = parameters.Scratch.Ints(rows * Output.Size);
        backend.MaxPoolForward(x, y, winners, rows, Input.Height, Input.Width, Input.Channels);
        if (dropout.IsOn) backend.Dropout(y, rows * Output.Size, dropout.Probability, dropout.Key, dropout.Step);
    }

    /// <summary>Recomputes the winners into the scratch (and the maxima into y, which no later pass reads).</summary>
    public void Backward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y,
        DeviceBuffer<float> dy, DeviceBuffer<float>? dx, int rows, LayerDropout dropout)
    {
        if (dx is null) return;
        if (dropout.IsOn) backend.Dropout(dy, rows * Output.Size, dropout.Probability, dropout.Key, dropout.Step);
        var winners = parameters.Scratch.Ints(rows * Output.Size);
        backend.MaxPoolForward(x, y, winners, rows, Input.Height, Input.Width, Input.Channels);
        backend.MaxPoolBackward(dy, winners, dx, rows, Input.Height, Input.Width, Input.Channels);
    }

    public override string ToString() => NetworkSpec.Token(this);
}
