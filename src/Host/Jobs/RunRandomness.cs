using GpuSiamese.Data;

namespace GpuSiamese.Host.Jobs;

/// <summary>
/// The generators of a run, forked from one seed in a fixed order — validation split, test pairs, then the trainer's
/// own — so that eval and embed with the same seed see the same split and the same test pairs as train did.
/// </summary>
public sealed record RunRandomness(Rng Split, Rng TestPairs, Rng Trainer)
{
    public static RunRandomness From(ulong seed)
    {
        var root = new Rng(seed);
        var split = root.Fork();
        var test = root.Fork();
        return new RunRandomness(split, test, root);
    }
}
