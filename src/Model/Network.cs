using GpuSiamese.Data;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Model;

/// <summary>
/// The parameters of one <see cref="NetworkConfig"/> on a backend: one flat parameter buffer and the
/// matching flat gradient buffer, cut into one <see cref="LayerParameters"/> slice per layer of
/// <see cref="NetworkConfig.Layers"/>, and the plain (scoring) forward pass over the layers.
/// </summary>
public sealed class Network : IDisposable
{
    readonly LayerParameters[] _slices;

    /// <summary>Uploads <paramref name="parameters"/> (length <see cref="NetworkConfig.ParameterCount"/>) once.</summary>
    public Network(IBackend backend, NetworkConfig config, ReadOnlySpan<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(config);
        if (parameters.Length != config.ParameterCount)
            throw new ArgumentException($"network {config} has {config.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        Backend = backend;
        Config = config;
        Parameters = backend.Allocate<float>(config.ParameterCount);
        Gradients = backend.Allocate<float>(config.ParameterCount);
        backend.Upload(Parameters, parameters);
        _slices = new LayerParameters[config.Layers.Count];
        for (int l = 0; l < _slices.Length; l++)
        {
            int offset = config.LayerOffset(l), count = config.Layers[l].ParameterCount;
            _slices[l] = new LayerParameters(Parameters.Slice(offset, count), Gradients.Slice(offset, count), new LayerScratch(backend));
        }
    }

    /// <summary>A network with parameters drawn by <see cref="Initialize"/>.</summary>
    public static Network Create(IBackend backend, NetworkConfig config, Rng rng) =>
        new(backend, config, Initialize(config, rng));

    /// <summary>
    /// Initial parameters: each layer of <see cref="NetworkConfig.Layers"/>, in order, initialises its slice from
    /// <paramref name="rng"/> (<see cref="ILayer.Initialize"/>; dense: He-uniform for ReLU, Glorot-uniform for linear, zero biases).
    /// </summary>
    public static float[] Initialize(NetworkConfig config, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        var p = new float[config.ParameterCount];
        for (int l = 0; l < config.Layers.Count; l++)
            config.Layers[l].Initialize(p.AsSpan(config.LayerOffset(l), config.Layers[l].ParameterCount), rng);
        return p;
    }

    public IBackend Backend { get; }

    public NetworkConfig Config { get; }

    /// <summary>Every layer's parameters flat, layer by layer (dense: W0, b0, W1, b1, …).</summary>
    public DeviceBuffer<float> Parameters { get; }

    /// <summary>dL/dθ flat, same layout as <see cref="Parameters"/>.</summary>
    public DeviceBuffer<float> Gradients { get; }

    /// <summary>Layer <paramref name="layer"/>'s slices of <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    public LayerParameters LayerSlices(int layer) => _slices[layer];

    /// <summary>
    /// Runs every layer over <paramref name="rows"/> rows of <paramref name="input"/>; layer l writes
    /// <paramref name="outputs"/>[l] (at least rows·Output.Size). The last one holds the embeddings.
    /// </summary>
    public void Forward(DeviceBuffer<float> input, IReadOnlyList<DeviceBuffer<float>> outputs, int rows)
    {
        var x = input;
        var layers = Config.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            layers[l].Forward(Backend, _slices[l], x, outputs[l], rows, LayerDropout.None);
            x = outputs[l];
        }
    }

    /// <summary>Allocates one output buffer per layer for up to <paramref name="rows"/> rows.</summary>
    public DeviceBuffer<float>[] AllocateLayerOutputs(int rows)
    {
        var layers = Config.Layers;
        var outputs = new DeviceBuffer<float>[layers.Count];
        for (int l = 0; l < outputs.Length; l++) outputs[l] = Backend.Allocate<float>(rows * layers[l].Output.Size);
        return outputs;
    }

    public float[] DownloadParameters()
    {
        var p = new float[Config.ParameterCount];
        Backend.Download(Parameters, p);
        return p;
    }

    public float[] DownloadGradients()
    {
        var g = new float[Config.ParameterCount];
        Backend.Download(Gradients, g);
        return g;
    }

    public void UploadParameters(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != Config.ParameterCount)
            throw new ArgumentException($"network {Config} has {Config.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        Backend.Upload(Parameters, parameters);
    }

    public void Dispose()
    {
        foreach (var slice in _slices) slice.Scratch.Dispose();
        Parameters.Dispose();
        Gradients.Dispose();
    }
}
