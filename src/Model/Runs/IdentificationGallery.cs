using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// The labelled images a served model identifies against (<see cref="ImageMatcher"/>), at the model's input shape, and
/// the names of their classes. Drawn from the training images of a dataset: the model's own (MNIST, Fashion-MNIST, its
/// folder; every class, held-out ones too, since identifying classes it never trained on is what a Siamese network is
/// for) or another folder of class folders read with the model's preprocessing.
/// </summary>
public sealed record IdentificationGallery(ImageSet Images, IReadOnlyList<string> ClassNames, string Source)
{
    /// <summary>No gallery: every identification answers "unknown".</summary>
    public static IdentificationGallery None(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new(ImageSet.FromFloats(checkpoint.Preprocessing.Input, Math.Max(1, checkpoint.ClassNames.Count), [], []),
            checkpoint.ClassNames, "none");
    }

    /// <summary>
    /// Up to <paramref name="perClass"/> training images of each class of <paramref name="source"/>, drawn with the
    /// recognition gallery's generator of <paramref name="seed"/> (<see cref="Identification.DrawGalleryUpTo"/>), at the stored shape of the checkpoint's
    /// preprocessing and then made its input.
    /// </summary>
    public static IdentificationGallery Load(Checkpoint checkpoint, IDatasetSource source, int perClass, ulong seed, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        var preprocessing = checkpoint.Preprocessing;
        var dataset = source.Load(preprocessing, log);
        var train = dataset.Train;
        int k = dataset.ClassCount;
        // Drawn over the stored bytes (no copy), then only the chosen images are converted.
        var stored = ImageSet.FromBytes(train.Shape, k, train.Pixels, train.Labels);
        var picks = Identification.DrawGalleryUpTo(stored, perClass, RunRandomness.Recognition(seed).Gallery);
        var images = preprocessing.ToImageSet(train.Subset(picks), k);
        return new IdentificationGallery(images, dataset.ClassNames, dataset.Name);
    }
}
