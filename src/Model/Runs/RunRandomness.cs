using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

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

    /// <summary>
    /// The generators of the recognition protocols: a stream of their own (the seed mixed with a constant, so the
    /// training streams above are untouched), one-shot trials first, then the identification gallery.
    /// </summary>
    public static (Rng OneShot, Rng Gallery) Recognition(ulong seed)
    {
        var root = new Rng(seed ^ 0x5245434F474E4954UL); // "RECOGNIT"
        return (root.Fork(), root.Fork());
    }
}
