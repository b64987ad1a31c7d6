using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>Which statistics a pass uses: a training step's (batch norm over the batch, dropout on) or scoring's (running averages, no dropout).</summary>
public enum PassMode
{
    Training,
    Scoring,
}

/// <summary>
/// One node's pass: its backend and slices, its inputs' buffers and its output's, over <see cref="Rows"/> rows, in
/// <see cref="Mode"/>, with its dropout; a backward pass adds <see cref="OutputGradient"/> and the
/// <see cref="InputGradients"/> to write (null entries: not wanted).
/// </summary>
public readonly record struct LayerPass(
    IBackend Backend,
    LayerParameters Parameters,
    IReadOnlyList<DeviceBuffer<float>> Inputs,
    DeviceBuffer<float> Output,
    int Rows,
    PassMode Mode,
    LayerDropout Dropout)
{
    /// <summary>The first (for most layers the only) input.</summary>
    public DeviceBuffer<float> X => Inputs[0];

    /// <summary>dL/d(output) in a backward pass (the layer may overwrite it).</summary>
    public DeviceBuffer<float>? OutputGradient { get; init; }

    /// <summary>dL/d(input i) to overwrite in a backward pass, or null where it is not wanted.</summary>
    public IReadOnlyList<DeviceBuffer<float>?> InputGradients { get; init; } = [];

    /// <summary>The first input's gradient (null when not wanted).</summary>
    public DeviceBuffer<float>? Dx => InputGradients.Count > 0 ? InputGradients[0] : null;

    /// <summary>dL/d(output), required in a backward pass.</summary>
    public DeviceBuffer<float> Dy => OutputGradient ?? throw new InvalidOperationException("a backward pass needs the output's gradient");
}
