using GpuSiamese.Kernels;

namespace GpuSiamese.Model.Layers;

/// <summary>
/// The inverted-dropout mask a layer applies to its output in a training pass (and to the output's gradient on the
/// way back): probability <see cref="Probability"/>, mask <see cref="DropoutMask.Keep"/>(key, step, i).
/// <see cref="None"/> (p = 0) in scoring passes and on layers the network does not drop out.
/// </summary>
public readonly record struct LayerDropout(float Probability, ulong Key, long Step)
{
    public static LayerDropout None => default;

    public bool IsOn => Probability > 0;
}
