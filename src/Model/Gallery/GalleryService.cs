using GpuSiamese.Data;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Model.Gallery;

/// <summary>An identification against the gallery: the nearest identity's name when it is a match (null = unknown) and the top hits.</summary>
public sealed record GalleryAnswer(string? Identity, IReadOnlyList<IdentityHit> Nearest);

/// <summary>
/// What the gallery command and serve do with one model and one store: images (files or preprocessed inputs) through
/// the model into embeddings, enrolled, identified or verified. The model's checkpoint hash must be the store's
/// (<see cref="FolderGalleryStore.Open"/> refuses otherwise); the verdicts use the store's threshold, which is the
/// checkpoint's (chosen on the validation split, at its --far when given).
/// </summary>
public sealed class GalleryService : IDisposable
{
    readonly ImageMatcher _matcher;

    public GalleryService(ImageMatcher matcher, IGalleryStore store)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(store);
        if (store.Model.EmbeddingWidth != matcher.EmbeddingWidth)
            throw new ArgumentException($"the gallery holds {store.Model.EmbeddingWidth}-wide embeddings, the model gives {matcher.EmbeddingWidth}");
        _matcher = matcher;
        Store = store;
    }

    public IGalleryStore Store { get; }

    public Checkpoint Checkpoint => _matcher.Checkpoint;

    /// <summary>The model and threshold a new gallery of <paramref name="checkpoint"/> (file hash <paramref name="sha256"/>) records.</summary>
    public static GalleryModel ModelOf(Checkpoint checkpoint, string sha256)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new GalleryModel(sha256, checkpoint.Network.OutputWidth, checkpoint.Training.DistanceEpsilon, checkpoint.Threshold,
            checkpoint.Training.Far, "validation", checkpoint.Training.ThresholdRule);
    }

    /// <summary>Preprocesses image files as the model's training did (warnings, e.g. a colour image for a grey model, added to <paramref name="warnings"/>).</summary>
    public IReadOnlyList<float[]> Load(IEnumerable<string> paths, InvertMode invert, List<string> warnings) =>
        [.. paths.Select(p => ModelInput.Load(_matcher.Checkpoint.Preprocessing, p, invert, warnings))];

    /// <summary>Embeds the preprocessed <paramref name="inputs"/> and enrols them as <paramref name="name"/>, all or none.</summary>
    public IdentitySummary Enrol(string name, IReadOnlyList<float[]> inputs, IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(sources);
        if (inputs.Count != sources.Count) throw new ArgumentException($"{inputs.Count} images but {sources.Count} sources");
        FolderGalleryStore.CheckName(name);
        var now = DateTime.UtcNow;
        var entries = inputs.Select((x, i) => new EnrolledEmbedding(_matcher.Embed(x), sources[i], now)).ToList();
        return Store.Add(name, entries);
    }

    public GalleryAnswer Identify(float[] input, int count)
    {
        var hits = Store.Identify(_matcher.Embed(input), count);
        return new GalleryAnswer(hits.Count > 0 && hits[0].Match ? hits[0].Name : null, hits);
    }

    /// <summary>The image against one identity; null when there is no identity of that name.</summary>
    public IdentityHit? Verify(float[] input, string name) => Store.Verify(_matcher.Embed(input), name);

    public void Dispose()
    {
        Store.Dispose();
        _matcher.Dispose();
    }
}
