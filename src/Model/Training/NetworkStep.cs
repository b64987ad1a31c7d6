using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Model.Training;

/// <summary>
/// The step over the network: forward through <see cref="NetworkConfig.Layers"/> in order (training mode: batch
/// statistics, dropout) and backward in reverse, for up to <see cref="MaxRows"/> rows, with each layer's output and
/// output gradient kept in buffers of its own. Where an output feeds several layers (a residual block's input), their
/// gradients are summed into it: the first contribution is written in place, each further one into a scratch buffer and
/// added (<see cref="IBackend.Accumulate"/>). Dropout (probability p, 0 = off) applies to every layer's output but the
/// last (the embedding), with a mask hashed from (seed, layer, step). The caller fills <see cref="Input"/> before
/// <see cref="Forward"/> and <see cref="EmbeddingGradients"/> before <see cref="Backward"/>; Backward leaves dL/dθ in the
/// network's gradients.
/// </summary>
public sealed class NetworkStep : IDisposable
{
    readonly Network _network;
    readonly DeviceBuffer<float>[] _outputs, _dOutputs;
    readonly DeviceBuffer<float>?[] _sums;
    readonly DeviceBuffer<float>?[][] _targets;
    readonly bool[] _written, _accumulate;
    readonly float _dropout;
    readonly ulong[] _dropoutKeys;

    public NetworkStep(Network network, int maxRows, double dropout, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _network = network;
        MaxRows = maxRows;
        var config = network.Config;
        var layers = config.Layers;
        Input = network.Backend.Allocate<float>(maxRows * config.Input.Size);
        _outputs = network.AllocateLayerOutputs(maxRows);
        _dOutputs = network.AllocateLayerOutputs(maxRows);
        // One scratch buffer per input slot that can receive a second contribution (a fan-out exists): its widest shape.
        int slots = layers.Max(l => l.Arity);
        bool fanOut = Enumerable.Range(0, layers.Count).SelectMany(config.InputsOf).Where(s => s >= 0).GroupBy(s => s).Any(g => g.Count() > 1);
        _sums = new DeviceBuffer<float>?[slots];
        if (fanOut)
            for (int i = 0; i < slots; i++) _sums[i] = network.Backend.Allocate<float>(maxRows * layers.Max(l => l.Output.Size));
        _targets = layers.Select(l => new DeviceBuffer<float>?[l.Arity]).ToArray();
        _written = new bool[layers.Count];
        _accumulate = new bool[slots];
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
        for (int l = 0; l < layers.Count; l++)
            layers[l].Forward(new LayerPass(_network.Backend, _network.LayerSlices(l), _network.InputsOf(l, Input, _outputs),
                _outputs[l], rows, PassMode.Training, DropoutOf(l, step)));
    }

    /// <summary>The scoring forward pass (running statistics, no dropout) of <paramref name="rows"/> rows, e.g. to mine a batch.</summary>
    public void ForwardWithoutDropout(int rows) => _network.Forward(Input, _outputs, rows);

    /// <summary>From <see cref="EmbeddingGradients"/> to the network's gradients, the layers in reverse.</summary>
    public void Backward(int rows, long step)
    {
        var config = _network.Config;
        var layers = config.Layers;
        var backend = _network.Backend;
        Array.Clear(_written);
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var sources = config.InputsOf(l);
            var targets = _targets[l];
            for (int i = 0; i < sources.Count; i++)
            {
                int s = sources[i];
                bool first = s >= 0 && !_written[s] && !ReadEarlier(sources, i);
                targets[i] = s < 0 ? null : first ? _dOutputs[s] : _sums[i];
                _accumulate[i] = s >= 0 && !first;
            }
            layers[l].Backward(new LayerPass(backend, _network.LayerSlices(l), _network.InputsOf(l, Input, _outputs), _outputs[l],
                rows, PassMode.Training, DropoutOf(l, step))
            {
                OutputGradient = _dOutputs[l],
                InputGradients = targets,
            });
            for (int i = 0; i < sources.Count; i++)
            {
                int s = sources[i];
                if (s < 0) continue;
                if (_accumulate[i]) backend.Accumulate(_sums[i]!, _dOutputs[s], rows * layers[s].Output.Size);
                _written[s] = true;
            }
        }
    }

    /// <summary>Whether one of the first <paramref name="i"/> input slots reads the same layer as slot i (y = x + x).</summary>
    static bool ReadEarlier(IReadOnlyList<int> sources, int i)
    {
        for (int k = 0; k < i; k++)
            if (sources[k] == sources[i]) return true;
        return false;
    }

    LayerDropout DropoutOf(int layer, long step) =>
        _dropout > 0 && layer < _dropoutKeys.Length - 1 ? new LayerDropout(_dropout, _dropoutKeys[layer], step) : LayerDropout.None;

    public void Dispose()
    {
        Input.Dispose();
        foreach (var o in _outputs) o.Dispose();
        foreach (var o in _dOutputs) o.Dispose();
        foreach (var s in _sums) s?.Dispose();
    }
}
