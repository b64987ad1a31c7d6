using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// One layer's slices of the network's flat parameter and gradient buffers (both <see cref="ILayer.ParameterCount"/>
/// long, at the same offset) and of its state buffer (<see cref="ILayer.StateCount"/>); the layer alone knows the layout
/// inside them. Empty for a layer without parameters. <see cref="Scratch"/> is the layer's working memory, kept by the
/// network between passes.
/// </summary>
public sealed record LayerParameters(DeviceBuffer<float> Values, DeviceBuffer<float> Gradients, LayerScratch Scratch)
{
    /// <summary>The layer's non-trained state (empty for most layers).</summary>
    public DeviceBuffer<float>? State { get; init; }
}
