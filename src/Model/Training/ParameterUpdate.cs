using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model.Training;

/// <summary>
/// One update of the network's parameters from its gradients: the learning rate of the step from the schedule
/// (<see cref="TrainingConfig.LearningRateAt"/>), the gradients scaled down to <see cref="TrainingConfig.ClipNorm"/>
/// when their global norm exceeds it, then the <see cref="Optimizer"/>'s rule.
/// </summary>
public sealed class ParameterUpdate : IDisposable
{
    readonly IBackend _backend;
    readonly Network _network;
    readonly TrainingConfig _config;

    public ParameterUpdate(Network network, TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        _network = network;
        _backend = network.Backend;
        _config = config;
        Optimizer = new Optimizer(_backend, config, network.Config.ParameterCount);
    }

    public Optimizer Optimizer { get; }

    /// <summary>
    /// Applies the update of global step <paramref name="step"/> (0-based) in epoch <paramref name="epoch"/>; a
    /// non-finite gradient norm (with clipping on) is a <see cref="TrainingDivergedException"/>.
    /// </summary>
    public void Apply(int epoch, int stepInEpoch, long step)
    {
        float gradScale = 1f;
        if (_config.ClipNorm > 0)
        {
            double norm = Math.Sqrt(_backend.SumOfSquares(_network.Gradients, _network.Config.ParameterCount));
            if (!double.IsFinite(norm))
                throw new TrainingDivergedException(epoch + 1, stepInEpoch + 1, step + 1, $"the gradient norm is {norm}");
            if (norm > _config.ClipNorm) gradScale = (float)(_config.ClipNorm / norm);
        }
        Optimizer.Step(_network.Parameters, _network.Gradients, _config.LearningRateAt(epoch, step), gradScale);
    }

    public void Dispose() => Optimizer.Dispose();
}
