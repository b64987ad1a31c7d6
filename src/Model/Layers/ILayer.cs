using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// One kind of layer of the shared network G: an immutable description (shapes, parameter count, initialisation)
/// whose forward and backward passes are calls of <see cref="IBackend"/> operations. A layer holds no buffers: the
/// <see cref="Network"/> hands it its <see cref="LayerParameters"/> slices of the one flat parameter and gradient
/// buffers, and the caller its input, output and their gradients, each <c>rows</c> rows of
/// <see cref="Input"/>.Size or <see cref="Output"/>.Size floats. Both images of a pair (three of a triplet) are
/// rows of one batch.
/// </summary>
public interface ILayer
{
    /// <summary>One row of input.</summary>
    LayerShape Input { get; }

    /// <summary>One row of output.</summary>
    LayerShape Output { get; }

    /// <summary>Floats of this layer in the flat parameter vector (0 for a layer without parameters).</summary>
    int ParameterCount { get; }

    /// <summary>
    /// Writes the layer's initial parameters into <paramref name="parameters"/> (its slice of the flat vector),
    /// drawing from <paramref name="rng"/> in a fixed order: the draws of every layer, in network order, make a run's
    /// initial weights.
    /// </summary>
    void Initialize(Span<float> parameters, Rng rng);

    /// <summary>y ← layer(x) over <paramref name="rows"/> rows, then <paramref name="dropout"/> on y when it is on.</summary>
    void Forward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y, int rows,
        LayerDropout dropout);

    /// <summary>
    /// From dL/dy (<paramref name="dy"/>, which the layer may overwrite) and the forward pass's x and y: overwrites this
    /// layer's slice of the gradient buffer with dL/dθ, and <paramref name="dx"/> with dL/dx unless it is null (the
    /// first layer's input needs no gradient). <paramref name="dropout"/> is the forward pass's.
    /// </summary>
    void Backward(IBackend backend, LayerParameters parameters, DeviceBuffer<float> x, DeviceBuffer<float> y,
        DeviceBuffer<float> dy, DeviceBuffer<float>? dx, int rows, LayerDropout dropout);
}
