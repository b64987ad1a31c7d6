using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Model.Training;

/// <summary>
/// The step over the network: forward through <see cref="NetworkConfig.Layers"/> in order and backward in reverse,
/// for up to <see cref="MaxRows"/> rows, with each layer's output and output gradient kept in buffers of its own.
/// Dropout (probability p, 0 = off) applies to every layer's output but the last (the embedding), with a mask
/// hashed from (seed, layer, step). The caller fills <see cref="Input"/> before <see cref="Forward"/> and
/// <see cref="EmbeddingGradients"/> before <see cref="Backward"/>; Backward leaves dL/dθ in the network's gradients.
/// </summary>
public sealed class NetworkStep : IDisposable
{
    readonly Network _network;
    readonly DeviceBuffer<float>[] _outputs, _dOutputs;
    readonly float _dropout;
    readonly ulong[] _dropoutKeys;

    public NetworkStep(Network network, int maxRows, double dropout, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _network = network;
        MaxRows = maxRows;
        var layers = network.Config.Layers;
        Input = network.Backend.Allocate<float>(maxRows * layers[0].Input.Size);
        _outputs = network.AllocateLayerOutputs(maxRows);
        _dOutputs = network.AllocateLayerOutputs(maxRows);
        _dropout = (float)dropout;
        _dropoutKeys = Enumerable.Range(0, layers.Count).Select(l => DropoutMask.LayerKey(seed, l)).ToArray();
    }

    public int MaxRows { get; }

    /// <summary>The batch's rows as the first layer reads them.</summary>
    public DeviceBuffer<float> Input { get; }

    /// <summary>The last layer's output: the batch's embeddings.</summary>
    public DeviceBuffer<float> Embeddings => _outputs[^1];

    /// <summary>dL/d(embeddings), which the loss writes before <see cref="Backward"/>.</summary>
    public DeviceBuffer<float> EmbeddingGradients => _dOutputs[^1];

    /// <summary>The training forward pass of <paramref name="rows"/> rows at global step <paramref name="step"/> (dropout on).</summary>
    public void Forward(int rows, long step)
    {
        var layers = _network.Config.Layers;
        var x = Input;
        for (int l = 0; l < layers.Count; l++)
        {
            layers[l].Forward(_network.Backend, _network.LayerSlices(l), x, _outputs[l], rows, DropoutOf(l, step));
            x = _outputs[l];
        }
    }

    /// <summary>The scoring forward pass (no dropout) of <paramref name="rows"/> rows, e.g. to mine a batch.</summary>
    public void ForwardWithoutDropout(int rows) => _network.Forward(Input, _outputs, rows);

    /// <summary>From <see cref="EmbeddingGradients"/> to the network's gradients, the layers in reverse.</summary>
    public void Backward(int rows, long step)
    {
        var layers = _network.Config.Layers;
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var x = l == 0 ? Input : _outputs[l - 1];
            layers[l].Backward(_network.Backend, _network.LayerSlices(l), x, _outputs[l], _dOutputs[l],
                l > 0 ? _dOutputs[l - 1] : null, rows, DropoutOf(l, step));
        }
    }

    LayerDropout DropoutOf(int layer, long step) =>
        _dropout > 0 && layer < _dropoutKeys.Length - 1 ? new LayerDropout(_dropout, _dropoutKeys[layer], step) : LayerDropout.None;

    public void Dispose()
    {
        Input.Dispose();
        foreach (var o in _outputs) o.Dispose();
        foreach (var o in _dOutputs) o.Dispose();
    }
}
