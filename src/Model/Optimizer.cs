using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// An update rule with its state buffers over the flat parameter vector: Adam keeps "m" and "v",
/// RMSprop "s", SGD the velocity "u". <see cref="StepCount"/> counts the updates applied (Adam's t).
/// With <see cref="TrainingConfig.WeightDecay"/> λ &gt; 0 every rule first shrinks all parameters (biases included)
/// by lr·λ, decoupled from the gradient: AdamW, and likewise decoupled (SGDW) for SGD and RMSprop.
/// </summary>
public sealed class Optimizer : IDisposable
{
    readonly TrainingConfig _config;
    readonly DeviceBuffer<float>[] _state;

    public Optimizer(IBackend backend, TrainingConfig config, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(config);
        Backend = backend;
        _config = config;
        ParameterCount = parameterCount;
        StateNames = StateNamesOf(config.Optimizer);
        _state = StateNames.Select(_ => backend.Allocate<float>(parameterCount)).ToArray();
    }

    /// <summary>Names of the state tensors, in the order <see cref="DownloadState"/> returns them.</summary>
    public static IReadOnlyList<string> StateNamesOf(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Adam => ["m", "v"],
        OptimizerKind.RmsProp => ["s"],
        _ => ["u"],
    };

    public IBackend Backend { get; }

    public int ParameterCount { get; }

    public IReadOnlyList<string> StateNames { get; }

    /// <summary>Updates applied so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>One update of <paramref name="parameters"/> from <paramref name="gradients"/>·gradScale.</summary>
    public void Step(DeviceBuffer<float> parameters, DeviceBuffer<float> gradients, double learningRate, float gradScale)
    {
        StepCount++;
        int n = ParameterCount;
        float lr = (float)learningRate;
        if (_config.WeightDecay > 0) Backend.WeightDecay(parameters, n, (float)(learningRate * _config.WeightDecay));
        switch (_config.Optimizer)
        {
            case OptimizerKind.Adam:
                // Adam's bias correction takes t as int; past 2^31 steps it has long converged to 1.
                int t = (int)Math.Min(StepCount, int.MaxValue);
                Backend.AdamStep(parameters, gradients, _state[0], _state[1], n, lr,
                    (float)_config.Beta1, (float)_config.Beta2, (float)_config.OptimizerEpsilon, t, gradScale);
                break;
            case OptimizerKind.RmsProp:
                Backend.RmsPropStep(parameters, gradients, _state[0], n, lr, (float)_config.Rho, (float)_config.OptimizerEpsilon, gradScale);
                break;
            default:
                Backend.SgdStep(parameters, gradients, _state[0], n, lr, (float)_config.Momentum, _config.Nesterov, gradScale);
                break;
        }
    }

    /// <summary>The state tensors, in <see cref="StateNames"/> order.</summary>
    public float[][] DownloadState()
    {
        var result = new float[_state.Length][];
        for (int i = 0; i < _state.Length; i++)
        {
            result[i] = new float[ParameterCount];
            Backend.Download(_state[i], result[i]);
        }
        return result;
    }

    /// <summary>Restores what <see cref="DownloadState"/> returned and the step counter.</summary>
    public void Restore(IReadOnlyList<float[]> state, long stepCount)
    {
        if (state.Count != _state.Length)
            throw new ArgumentException($"{_config.Optimizer} keeps {_state.Length} state tensors, got {state.Count}", nameof(state));
        for (int i = 0; i < _state.Length; i++)
        {
            if (state[i].Length != ParameterCount)
                throw new ArgumentException($"optimizer state '{StateNames[i]}' must hold {ParameterCount} values, got {state[i].Length}", nameof(state));
            Backend.Upload(_state[i], state[i]);
        }
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        StepCount = stepCount;
    }

    public void Dispose()
    {
        foreach (var b in _state) b.Dispose();
    }
}
