using GpuSiamese.Data;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Model;

/// <summary>
/// The parameters of one <see cref="NetworkConfig"/> on a backend: one flat parameter buffer, the matching flat gradient
/// buffer and the state buffer (non-trained values such as batch norm's running statistics), cut into one
/// <see cref="LayerParameters"/> slice per layer of <see cref="NetworkConfig.Layers"/>, and the forward walk over the
/// graph (scoring passes here; a training step's forward and backward in <see cref="Training.NetworkStep"/>).
/// </summary>
public sealed class Network : IDisposable
{
    readonly LayerParameters[] _slices;
    readonly DeviceBuffer<float>[][] _inputBuffers;

    /// <summary>Uploads <paramref name="parameters"/> (length <see cref="NetworkConfig.ParameterCount"/>) and the state once.</summary>
    public Network(IBackend backend, NetworkConfig config, ReadOnlySpan<float> parameters, ReadOnlySpan<float> state = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(config);
        if (parameters.Length != config.ParameterCount)
            throw new ArgumentException($"network {config} has {config.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        if (state.Length != 0 && state.Length != config.StateCount)
            throw new ArgumentException($"network {config} has {config.StateCount} state values, got {state.Length}", nameof(state));
        Backend = backend;
        Config = config;
        Parameters = backend.Allocate<float>(config.ParameterCount);
        Gradients = backend.Allocate<float>(config.ParameterCount);
        State = backend.Allocate<float>(Math.Max(1, config.StateCount));
        backend.Upload(Parameters, parameters);
        backend.Upload(State, state.Length == 0 ? InitialState(config) : state);
        _slices = new LayerParameters[config.Layers.Count];
        for (int l = 0; l < _slices.Length; l++)
        {
            int offset = config.LayerOffset(l), count = config.Layers[l].ParameterCount;
            _slices[l] = new LayerParameters(Parameters.Slice(offset, count), Gradients.Slice(offset, count), new LayerScratch(backend))
            {
                State = State.Slice(config.StateOffset(l), config.Layers[l].StateCount),
            };
        }
        _inputBuffers = config.Layers.Select(l => new DeviceBuffer<float>[l.Arity]).ToArray();
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

    /// <summary>The initial state of every layer (<see cref="ILayer.InitializeState"/>): running means 0, variances 1.</summary>
    public static float[] InitialState(NetworkConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var s = new float[config.StateCount];
        for (int l = 0; l < config.Layers.Count; l++)
            config.Layers[l].InitializeState(s.AsSpan(config.StateOffset(l), config.Layers[l].StateCount));
        return s;
    }

    public IBackend Backend { get; }

    public NetworkConfig Config { get; }

    /// <summary>Every layer's parameters flat, layer by layer (dense: W0, b0, W1, b1, …).</summary>
    public DeviceBuffer<float> Parameters { get; }

    /// <summary>dL/dθ flat, same layout as <see cref="Parameters"/>.</summary>
    public DeviceBuffer<float> Gradients { get; }

    /// <summary>Every layer's non-trained state flat (at least one element: a network without any holds a zero).</summary>
    public DeviceBuffer<float> State { get; }

    /// <summary>Layer <paramref name="layer"/>'s slices of <see cref="Parameters"/>, <see cref="Gradients"/> and <see cref="State"/>.</summary>
    public LayerParameters LayerSlices(int layer) => _slices[layer];

    /// <summary>
    /// Runs every layer over <paramref name="rows"/> rows of <paramref name="input"/> in scoring mode; layer l writes
    /// <paramref name="outputs"/>[l] (at least rows·Output.Size). The last one holds the embeddings.
    /// </summary>
    public void Forward(DeviceBuffer<float> input, IReadOnlyList<DeviceBuffer<float>> outputs, int rows) =>
        Forward(input, outputs, rows, PassMode.Scoring, _ => LayerDropout.None);

    /// <summary>The forward walk in <paramref name="mode"/>, each layer with the dropout <paramref name="dropoutOf"/> gives it.</summary>
    public void Forward(DeviceBuffer<float> input, IReadOnlyList<DeviceBuffer<float>> outputs, int rows, PassMode mode,
        Func<int, LayerDropout> dropoutOf)
    {
        var layers = Config.Layers;
        for (int l = 0; l < layers.Count; l++)
            layers[l].Forward(new LayerPass(Backend, _slices[l], InputsOf(l, input, outputs), outputs[l], rows, mode, dropoutOf(l)));
    }

    /// <summary>Layer <paramref name="layer"/>'s input buffers (kept per layer, so a pass allocates nothing).</summary>
    internal DeviceBuffer<float>[] InputsOf(int layer, DeviceBuffer<float> input, IReadOnlyList<DeviceBuffer<float>> outputs)
    {
        var sources = Config.InputsOf(layer);
        var buffers = _inputBuffers[layer];
        for (int i = 0; i < buffers.Length; i++) buffers[i] = sources[i] < 0 ? input : outputs[sources[i]];
        return buffers;
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

    /// <summary>The non-trained state (empty for a network without any).</summary>
    public float[] DownloadState()
    {
        var s = new float[Config.StateCount];
        Backend.Download(State, s);
        return s;
    }

    public void UploadParameters(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != Config.ParameterCount)
            throw new ArgumentException($"network {Config} has {Config.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        Backend.Upload(Parameters, parameters);
    }

    public void UploadState(ReadOnlySpan<float> state)
    {
        if (state.Length != Config.StateCount)
            throw new ArgumentException($"network {Config} has {Config.StateCount} state values, got {state.Length}", nameof(state));
        Backend.Upload(State, state);
    }

    public void Dispose()
    {
        foreach (var slice in _slices) slice.Scratch.Dispose();
        Parameters.Dispose();
        Gradients.Dispose();
        State.Dispose();
    }
}
