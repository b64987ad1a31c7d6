namespace GpuSiamese.Model.Layers;

/// <summary>
/// The whole network in double precision from each layer kind's twin (<see cref="ILayer.ReferenceForward"/>,
/// <see cref="ILayer.ReferenceBackward"/>), walking the graph as <see cref="Training.NetworkStep"/> does: forward in
/// order, backward in reverse with the gradients of an output that feeds several layers summed. What the gradient
/// check differentiates and the ONNX export is compared with.
/// </summary>
public static class ReferenceNetwork
{
    /// <summary>A forward pass: every layer's pass (its output, what it saved), the embeddings last.</summary>
    public sealed class Pass(NetworkConfig config, ReferenceLayerPass[] layers, double[] state)
    {
        public NetworkConfig Config { get; } = config;

        public IReadOnlyList<ReferenceLayerPass> Layers { get; } = layers;

        /// <summary>The state after the pass (a training pass updates running statistics).</summary>
        public double[] State { get; } = state;

        public double[] Embeddings => Layers[^1].Output;
    }

    /// <summary>
    /// G(x) over <paramref name="rows"/> rows of <paramref name="x"/> with parameters <paramref name="theta"/> and state
    /// <paramref name="state"/> (null: each layer's initial state), in <paramref name="mode"/>; <paramref name="kinks"/>
    /// collects how close each layer came to a point where it is not differentiable.
    /// </summary>
    public static Pass Forward(NetworkConfig config, double[] theta, double[]? state, double[] x, int rows,
        PassMode mode = PassMode.Scoring, List<double>? kinks = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(x);
        if (theta.Length != config.ParameterCount)
            throw new ArgumentException($"network {config} has {config.ParameterCount} parameters, got {theta.Length}", nameof(theta));
        var s = state?.ToArray() ?? Array.ConvertAll(Network.InitialState(config), v => (double)v);
        var layers = config.Layers;
        var passes = new ReferenceLayerPass[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var layerState = s.AsSpan(config.StateOffset(l), layer.StateCount).ToArray();
            passes[l] = new ReferenceLayerPass
            {
                Parameters = theta.AsSpan(config.LayerOffset(l), layer.ParameterCount).ToArray(),
                State = layerState,
                Inputs = config.InputsOf(l).Select(i => i < 0 ? x : passes[i].Output).ToArray(),
                Rows = rows,
                Mode = mode,
                Kinks = kinks,
            };
            layer.ReferenceForward(passes[l]);
            layerState.CopyTo(s, config.StateOffset(l));
        }
        return new Pass(config, passes, s);
    }

    /// <summary>dL/dθ from dL/d(embeddings) <paramref name="dEmbeddings"/> after <paramref name="forward"/>, laid out like θ.</summary>
    public static double[] Backward(Pass forward, double[] dEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var config = forward.Config;
        var layers = config.Layers;
        var gradients = new double[layers.Count][];
        gradients[^1] = dEmbeddings;
        var theta = new double[config.ParameterCount];
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var pass = forward.Layers[l];
            var sources = config.InputsOf(l);
            pass.OutputGradient = gradients[l] ?? new double[pass.Output.Length];
            pass.WantsInputGradient = sources.Select(s => s >= 0).ToArray();
            pass.InputGradients = new double[sources.Count][];
            layers[l].ReferenceBackward(pass);
            pass.ParameterGradient.CopyTo(theta, config.LayerOffset(l));
            for (int i = 0; i < sources.Count; i++)
            {
                int s = sources[i];
                if (s < 0) continue;
                var g = pass.InputGradients[i] ?? throw new InvalidOperationException($"{layers[l]} gave no input gradient");
                if (gradients[s] is null) gradients[s] = g.ToArray();
                else for (int k = 0; k < g.Length; k++) gradients[s][k] += g[k];
            }
        }
        return theta;
    }
}
