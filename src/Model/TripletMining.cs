namespace GpuSiamese.Model;

/// <summary>How the triplets of a batch are chosen when training with the triplet loss.</summary>
public enum TripletMining
{
    /// <summary>The sampler's triplets as drawn.</summary>
    None = 0,
    /// <summary>
    /// Batch-hard (Hermans, Beyer and Leibe 2017): for each anchor, the farthest same-digit and the nearest
    /// other-digit image among the batch's rows (<see cref="BatchHardMining"/>).
    /// </summary>
    BatchHard = 1,
}
