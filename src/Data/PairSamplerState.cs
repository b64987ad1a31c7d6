namespace GpuSiamese.Data;

/// <summary>
/// Everything a <see cref="PairSampler"/> needs to continue exactly where it stopped: its generator, the
/// positions in its two shuffled round-robins, and the running positive-minus-negative balance.
/// </summary>
public sealed record PairSamplerState(
    ulong[] Rng,
    int[] DigitOrder, int DigitCursor,
    int[] PairOrder, int PairCursor,
    long PositiveMinusNegative);
