using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// The parameters of one <see cref="NetworkConfig"/> on a backend: one flat parameter buffer and the
/// matching flat gradient buffer, with per-layer slices (W_l as [in,out] row-major, then b_l).
/// </summary>
public sealed class Network : IDisposable
{
    readonly DeviceBuffer<float>[] _w, _b, _dw, _db;

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
        int n = config.LayerCount;
        _w = new DeviceBuffer<float>[n]; _b = new DeviceBuffer<float>[n];
        _dw = new DeviceBuffer<float>[n]; _db = new DeviceBuffer<float>[n];
        for (int l = 0; l < n; l++)
        {
            int wLen = config.InWidth(l) * config.OutWidth(l), bLen = config.OutWidth(l);
            _w[l] = Parameters.Slice(config.WeightOffset(l), wLen);
            _b[l] = Parameters.Slice(config.BiasOffset(l), bLen);
            _dw[l] = Gradients.Slice(config.WeightOffset(l), wLen);
            _db[l] = Gradients.Slice(config.BiasOffset(l), bLen);
        }
    }

    /// <summary>A network with parameters drawn by <see cref="Initialize"/>.</summary>
    public static Network Create(IBackend backend, NetworkConfig config, Rng rng) =>
        new(backend, config, Initialize(config, rng));

    /// <summary>
    /// Initial parameters, drawn layer by layer from <paramref name="rng"/>: ReLU layers He-uniform,
    /// W ~ U(−a, a) with a = sqrt(6 / fan_in); a linear output layer Glorot-uniform, a = sqrt(6 / (fan_in + fan_out)).
    /// Biases start at zero.
    /// </summary>
    public static float[] Initialize(NetworkConfig config, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        var p = new float[config.ParameterCount];
        for (int l = 0; l < config.LayerCount; l++)
        {
            int fanIn = config.InWidth(l), fanOut = config.OutWidth(l);
            double a = config.ActivationOf(l) == Activation.Relu
                ? Math.Sqrt(6.0 / fanIn)
                : Math.Sqrt(6.0 / (fanIn + fanOut));
            var w = p.AsSpan(config.WeightOffset(l), fanIn * fanOut);
            for (int k = 0; k < w.Length; k++) w[k] = (float)((2 * rng.NextDouble() - 1) * a);
        }
        return p;
    }

    public IBackend Backend { get; }

    public NetworkConfig Config { get; }

    /// <summary>W0, b0, W1, b1, … flat.</summary>
    public DeviceBuffer<float> Parameters { get; }

    /// <summary>dW0, db0, dW1, db1, … flat, same layout as <see cref="Parameters"/>.</summary>
    public DeviceBuffer<float> Gradients { get; }

    public DeviceBuffer<float> Weights(int layer) => _w[layer];
    public DeviceBuffer<float> Biases(int layer) => _b[layer];
    public DeviceBuffer<float> WeightGradients(int layer) => _dw[layer];
    public DeviceBuffer<float> BiasGradients(int layer) => _db[layer];

    /// <summary>
    /// Runs every layer over <paramref name="rows"/> rows of <paramref name="input"/>; layer l writes
    /// <paramref name="outputs"/>[l] (at least rows·width_{l+1}). The last one holds the embeddings.
    /// </summary>
    public void Forward(DeviceBuffer<float> input, IReadOnlyList<DeviceBuffer<float>> outputs, int rows)
    {
        var x = input;
        for (int l = 0; l < Config.LayerCount; l++)
        {
            Backend.DenseForward(x, _w[l], _b[l], outputs[l], rows, Config.InWidth(l), Config.OutWidth(l), Config.ActivationOf(l));
            x = outputs[l];
        }
    }

    /// <summary>Allocates one output buffer per layer for up to <paramref name="rows"/> rows.</summary>
    public DeviceBuffer<float>[] AllocateLayerOutputs(int rows)
    {
        var outputs = new DeviceBuffer<float>[Config.LayerCount];
        for (int l = 0; l < outputs.Length; l++) outputs[l] = Backend.Allocate<float>(rows * Config.OutWidth(l));
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
        Parameters.Dispose();
        Gradients.Dispose();
    }
}
