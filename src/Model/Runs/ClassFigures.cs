using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// The test embeddings projected on their two leading principal axes (<see cref="Pca.Project2"/>) for embeddings.png: one
/// point per image with its class; <see cref="UnseenClass"/>[c] is true for each class held out of training.
/// </summary>
public sealed record EmbeddingMap(double[] X, double[] Y, int[] Labels, bool[] UnseenClass);

/// <summary>
/// What a run says about its classes: the dataset's name and class names, the classes held out and why images were
/// dropped (<see cref="Notes"/>), the test-pair protocol used, and the figures per set of classes
/// (<see cref="ClassSetMetrics"/>: verification AUC on the scaled balanced protocol, N-way one-shot and retrieval) on the
/// seen classes' test images and, with classes held out, on the unseen classes' images, with identification of the unseen
/// classes against a gallery of their own images. <see cref="Map"/> draws embeddings.png.
/// </summary>
public sealed record ClassFigures(
    string Dataset,
    ImageShape Input,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<string> HeldOut,
    string TestProtocol,
    IReadOnlyList<string> Notes,
    ClassSetMetrics Seen,
    ClassSetMetrics? Unseen,
    IdentificationResult? UnseenIdentification,
    [property: System.Text.Json.Serialization.JsonIgnore] EmbeddingMap Map)
{
    /// <summary>"digit" for MNIST, else "class": what the outputs call a class.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Noun => Dataset == MnistSource.SourceName ? "digit" : "class";

    /// <summary>
    /// Embeds the seen test images and the unseen images with <paramref name="evaluator"/> and measures them, drawing from
    /// <see cref="RunRandomness.ClassSets"/> of <paramref name="seed"/>: the seen classes' figures, then the unseen classes'
    /// (their identification gallery <paramref name="galleryPerClass"/> images per class, lowered to leave each class a
    /// probe; none when 0), <paramref name="threshold"/> NaN answering every probe.
    /// </summary>
    public static ClassFigures Measure(Evaluator evaluator, string dataset, IReadOnlyList<string> classNames, IReadOnlyList<string> notes,
        string testProtocol, ImageSet test, int[] heldOut, ImageSet? unseen, int ways, int trials, int galleryPerClass, double threshold, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(test);
        int dim = evaluator.Network.Config.OutputWidth, k = classNames.Count;
        double eps = evaluator.DistanceEpsilon;
        var rng = RunRandomness.ClassSets(seed);
        var seenEmbeddings = evaluator.Embed(test);
        var seen = ClassSetEvaluation.Evaluate(seenEmbeddings, dim, test.Labels, k, ways, trials, rng.Fork(), eps);
        ClassSetMetrics? unseenMetrics = null;
        IdentificationResult? identification = null;
        float[] unseenEmbeddings = [];
        int[] unseenLabels = [];
        if (unseen is { Count: > 0 })
        {
            unseenEmbeddings = evaluator.Embed(unseen);
            unseenLabels = unseen.Labels;
            unseenMetrics = ClassSetEvaluation.Evaluate(unseenEmbeddings, dim, unseenLabels, k, ways, trials, rng.Fork(), eps);
            var byClass = unseen.IndicesByClass();
            var classes = heldOut.Where(c => byClass[c].Length >= 2).ToArray();
            int gallery = classes.Length == 0 ? 0 : Math.Min(galleryPerClass, classes.Min(c => byClass[c].Length) - 1);
            if (gallery >= 1)
                identification = Identification.Evaluate(unseenEmbeddings, dim, byClass, classes, gallery,
                    double.IsNaN(threshold) ? double.PositiveInfinity : threshold, rng.Fork(), eps);
        }
        var all = new float[seenEmbeddings.Length + unseenEmbeddings.Length];
        seenEmbeddings.CopyTo(all, 0);
        unseenEmbeddings.CopyTo(all, seenEmbeddings.Length);
        var (x, y) = Pca.Project2(all, dim);
        var unseenClass = new bool[k];
        foreach (int c in heldOut) unseenClass[c] = true;
        return new ClassFigures(dataset, test.Shape, classNames, heldOut.Select(c => classNames[c]).ToArray(), testProtocol, notes,
            seen, unseenMetrics, identification, new EmbeddingMap(x, y, [.. test.Labels, .. unseenLabels], unseenClass));
    }
}
