using GpuSiamese.Data;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Model;

/// <summary>
/// What a person asks of one loaded model, one preprocessed image (the model's <see cref="Checkpoint.Preprocessing"/>
/// input: C·H·W floats) at a time: the distance between two images and its verdict, an image's embedding, and its
/// identity against a gallery of labelled images (the class of the nearest gallery image, or "unknown" when even that is
/// farther than <see cref="Threshold"/>). Safe to call from many threads: the network runs one call at a time.
/// </summary>
public sealed class ImageMatcher : IDisposable
{
    readonly Lock _gate = new();
    readonly Network _network;
    readonly Evaluator _evaluator;
    readonly float[] _galleryEmbeddings;

    /// <summary>
    /// Uploads the checkpoint's parameters to <paramref name="backend"/> (which this instance then owns) and embeds
    /// <paramref name="gallery"/> once; an empty gallery answers every identification "unknown". The gallery's labels
    /// index <paramref name="galleryClassNames"/> (the checkpoint's own class names when not given: a gallery from the
    /// model's dataset).
    /// </summary>
    public ImageMatcher(IBackend backend, Checkpoint checkpoint, ImageSet gallery, IReadOnlyList<string>? galleryClassNames = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(gallery);
        var names = galleryClassNames ?? checkpoint.ClassNames;
        if (gallery.Count > 0 && gallery.ImageSize != checkpoint.Preprocessing.Input.Size)
            throw new ArgumentException($"the gallery holds {gallery.Shape} images, the model reads {checkpoint.Preprocessing.Input}", nameof(gallery));
        if (gallery.Count > 0 && gallery.Labels.Max() >= names.Count)
            throw new ArgumentException($"the gallery has labels up to {gallery.Labels.Max()} but {names.Count} class names", nameof(galleryClassNames));
        Backend = backend;
        Checkpoint = checkpoint;
        Gallery = gallery;
        ClassNames = names;
        _network = new Network(backend, checkpoint.Network, checkpoint.Parameters, checkpoint.State);
        // Requests carry one or two images: small chunks keep the device buffers small.
        _evaluator = new Evaluator(_network, checkpoint.Training.DistanceEpsilon, chunkPairs: 64);
        _galleryEmbeddings = gallery.Count == 0 ? [] : _evaluator.Embed(gallery);
    }

    public IBackend Backend { get; }

    public Checkpoint Checkpoint { get; }

    /// <summary>Labelled images identification compares against.</summary>
    public ImageSet Gallery { get; }

    /// <summary>The names of the gallery's labels: an identity's and a neighbour's class is <c>ClassNames[label]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The shape of one input (channels last), as the model's preprocessing makes it.</summary>
    public ImageShape InputShape => Checkpoint.Preprocessing.Input;

    /// <summary>Same class when the distance is at most this; +∞ for a model saved before any threshold was chosen.</summary>
    public double Threshold => double.IsNaN(Checkpoint.Threshold) ? double.PositiveInfinity : Checkpoint.Threshold;

    public int EmbeddingWidth => Checkpoint.Network.OutputWidth;

    /// <summary>
    /// Both images through the network in one call, their distance E (in double precision from the two embeddings)
    /// and verdict, and each one's identity against the gallery.
    /// </summary>
    public Comparison Compare(float[] a, float[] b, int nearest)
    {
        RequireImage(a, nameof(a));
        RequireImage(b, nameof(b));
        float[] embeddings;
        lock (_gate)
            embeddings = _evaluator.Embed([.. a, .. b], 2);
        int dim = EmbeddingWidth;
        double distance = EmbeddingDistance.Between(embeddings, dim, 0, 1, _evaluator.DistanceEpsilon);
        return new Comparison(distance, Verdict.Same(distance, Threshold),
            IdentifyEmbedding(embeddings.AsSpan(0, dim), nearest), IdentifyEmbedding(embeddings.AsSpan(dim, dim), nearest));
    }

    /// <summary>G(x) of one preprocessed image.</summary>
    public float[] Embed(float[] image)
    {
        RequireImage(image, nameof(image));
        lock (_gate)
            return _evaluator.Embed(image, 1);
    }

    /// <summary>The <paramref name="nearest"/> nearest gallery images of one preprocessed image and the answer the nearest gives.</summary>
    public IdentityAnswer Identify(float[] image, int nearest) => IdentifyEmbedding(Embed(image), nearest);

    IdentityAnswer IdentifyEmbedding(ReadOnlySpan<float> embedding, int nearest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nearest, 0);
        var matches = nearest == 0 || Gallery.Count == 0
            ? Array.Empty<GalleryMatch>()
            : Identification.Nearest(_galleryEmbeddings, Gallery.Labels, embedding, nearest, _evaluator.DistanceEpsilon);
        int? label = matches.Length > 0 && Verdict.Same(matches[0].Distance, Threshold) ? matches[0].Digit : null;
        return new IdentityAnswer(label, matches);
    }

    void RequireImage(float[] image, string name)
    {
        ArgumentNullException.ThrowIfNull(image, name);
        if (image.Length != InputShape.Size)
            throw new ArgumentException($"expected a preprocessed image of {InputShape.Size} values ({InputShape}), got {image.Length}", name);
    }

    public void Dispose()
    {
        _evaluator.Dispose();
        _network.Dispose();
        Backend.Dispose();
    }
}

/// <summary>A comparison of two images: E, whether E is within the threshold, and what each image is identified as.</summary>
public sealed record Comparison(double Distance, bool Same, IdentityAnswer A, IdentityAnswer B);

/// <summary>
/// An identification: <see cref="Label"/> is the class index of the nearest gallery image (the digit for MNIST), null for
/// "unknown"; <see cref="Nearest"/> nearest first.
/// </summary>
public sealed record IdentityAnswer(int? Label, IReadOnlyList<GalleryMatch> Nearest);
