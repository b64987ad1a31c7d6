namespace GpuSiamese.Model.Gallery;

/// <summary>
/// The model a gallery belongs to: the checkpoint file's SHA-256, the embedding width, the distance epsilon and the
/// operating threshold with the false-accept rate and split it was chosen at (<see cref="TrainingConfig.ThresholdRule"/>).
/// </summary>
public sealed record GalleryModel(string CheckpointSha256, int EmbeddingWidth, double DistanceEpsilon, double Threshold,
    double ThresholdFar, string ThresholdSplit, string ThresholdRule);

/// <summary>One enrolled embedding: where it came from (a file name, "drawing") and when it was added.</summary>
public sealed record EnrolledEmbedding(float[] Embedding, string Source, DateTime AddedUtc);

/// <summary>An identity as listed: its name, how many embeddings it has, and when the first and last were added.</summary>
public sealed record IdentitySummary(string Name, int Embeddings, DateTime FirstAddedUtc, DateTime LastAddedUtc);

/// <summary>One identity near a probe: its best (nearest) score over its embeddings and whether that is a match.</summary>
public sealed record IdentityHit(string Name, double Distance, bool Match);

/// <summary>
/// A persistent gallery of named identities for one model. Everything behind this interface — where the embeddings
/// live and how the nearest are found — is the store's: a folder on one machine (<see cref="FolderGalleryStore"/>)
/// today; a vector database (Qdrant, whose .NET client is Qdrant.Client) would be one more class. Every method is
/// safe from many threads; writes are atomic (an identity is enrolled whole or not at all).
/// </summary>
public interface IGalleryStore : IDisposable
{
    GalleryModel Model { get; }

    /// <summary>Every identity, by name (ordinal).</summary>
    IReadOnlyList<IdentitySummary> List();

    /// <summary>Adds <paramref name="embeddings"/> to identity <paramref name="name"/> (made when new); returns its summary after.</summary>
    IdentitySummary Add(string name, IReadOnlyList<EnrolledEmbedding> embeddings);

    /// <summary>Removes the identity; false when there was none of that name.</summary>
    bool Remove(string name);

    /// <summary>The <paramref name="count"/> identities nearest to <paramref name="embedding"/> (best score per identity), nearest first.</summary>
    IReadOnlyList<IdentityHit> Identify(ReadOnlySpan<float> embedding, int count);

    /// <summary>The identity's best score against <paramref name="embedding"/>, or null when there is no such identity.</summary>
    IdentityHit? Verify(ReadOnlySpan<float> embedding, string name);
}
