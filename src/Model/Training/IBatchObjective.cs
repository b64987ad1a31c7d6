namespace GpuSiamese.Model.Training;

/// <summary>
/// What a training batch is made of and what it minimises: its sampler draws the batch, the objective loads the
/// batch's rows, runs the <see cref="NetworkStep"/> forward, computes the loss and its gradient on the embeddings and
/// runs the step backward. Pairs with a contrastive loss, or triplets (optionally batch-hard mined).
/// </summary>
public interface IBatchObjective : IDisposable
{
    /// <summary>Embedding rows per batch unit: 2 for a pair, 3 for a triplet.</summary>
    int RowsPerUnit { get; }

    /// <summary>
    /// Draws the next batch of <paramref name="units"/> pairs or triplets from the sampler and fills the network's
    /// gradients with dL/dθ of its mean loss, which it returns.
    /// </summary>
    double NextBatch(int units, int epoch, long step);

    /// <summary>The sampler's position, serialised (a checkpoint stores it).</summary>
    byte[] CaptureSampler();

    /// <summary>
    /// Checks <paramref name="state"/> (ArgumentException when it is not this sampler's) and returns the action
    /// that restores it, so that a caller can check everything before changing anything.
    /// </summary>
    Action PrepareRestore(byte[] state);
}
