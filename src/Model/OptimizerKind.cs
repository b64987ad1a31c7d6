namespace GpuSiamese.Model;

/// <summary>Which update rule <see cref="Optimizer"/> applies (formulas in Kernels.Reference.Optimizers).</summary>
public enum OptimizerKind
{
    Adam = 0,
    RmsProp = 1,
    /// <summary>SGD with momentum (0 = plain), optionally Nesterov.</summary>
    Sgd = 2,
}
