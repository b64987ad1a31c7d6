namespace GpuSiamese.Data;

/// <summary>Everything a <see cref="TripletSampler"/> needs to continue exactly: its generator and the positions in its round-robins.</summary>
public sealed record TripletSamplerState(
    ulong[] Rng,
    int[] AnchorOrder, int AnchorCursor,
    int[][] NegativeOrders, int[] NegativeCursors);
