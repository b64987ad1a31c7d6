using GpuSiamese.Data;

namespace GpuSiamese.Model;

/// <summary>
/// Outcome of nearest-neighbour identification: <see cref="Accuracy"/> counts probes answered with their own
/// digit among all probes; <see cref="UnknownRate"/> the probes answered "unknown"; <see cref="AnsweredAccuracy"/>
/// the right answers among those not unknown (NaN when every probe was unknown). <see cref="MissRateAtFpir"/> is the
/// open-set miss rate (FNIR) at false-positive identification rate <see cref="Fpir"/> (<see cref="Identification.OpenSetMissRate"/>;
/// NaN with fewer than 1/FPIR probes).
/// </summary>
public sealed record IdentificationResult(
    int GalleryPerDigit,
    int Probes,
    double Threshold,
    double Accuracy,
    double UnknownRate,
    double AnsweredAccuracy,
    double Fpir = Identification.FixedFpir,
    double MissRateAtFpir = double.NaN);

/// <summary>
/// Identification against a gallery of k images per digit: a probe's answer is the digit of its nearest gallery
/// image, or "unknown" when that nearest distance exceeds the threshold.
/// </summary>
public static class Identification
{
    /// <summary>The false-positive identification rate the miss rate is reported at.</summary>
    public const double FixedFpir = 0.01;

    /// <summary>
    /// Open-set identification's miss rate (FNIR) at false-positive identification rate <paramref name="fpir"/>, each
    /// probe searched twice: mated (the whole gallery: a hit when its own class ranks first and is accepted) and non-mated
    /// (its own class taken out: a false positive when the nearest other class is accepted). The threshold is the largest
    /// that accepts at most ⌊FPIR·n⌋ of the n non-mated searches; NaN with fewer than 1/FPIR probes.
    /// </summary>
    public static double OpenSetMissRate(ReadOnlySpan<float> gallery, ReadOnlySpan<int> galleryLabels,
        ReadOnlySpan<float> probes, ReadOnlySpan<int> probeLabels, int dim, double eps, double fpir = FixedFpir)
    {
        int n = probeLabels.Length;
        if (n == 0 || n < Roc.NegativesNeededFor(fpir)) return double.NaN;
        var own = new double[n];
        var other = new double[n];
        var ownFirst = new bool[n];
        for (int p = 0; p < n; p++)
        {
            var probe = probes.Slice(p * dim, dim);
            double o = Verdict.Worst, x = Verdict.Worst;
            int oAt = int.MaxValue, xAt = int.MaxValue;
            for (int g = 0; g < galleryLabels.Length; g++)
            {
                double e = EmbeddingDistance.Between(probe, gallery.Slice(g * dim, dim), eps);
                if (galleryLabels[g] == probeLabels[p]) { if (Verdict.Before(e, o)) { o = e; oAt = g; } }
                else if (Verdict.Before(e, x)) { x = e; xAt = g; }
            }
            own[p] = o;
            other[p] = x;
            ownFirst[p] = Verdict.Before(o, x) || (o == x && oAt < xAt);
        }
        var sorted = (double[])other.Clone();
        Array.Sort(sorted, (a, b) => Verdict.Before(a, b) ? -1 : Verdict.Before(b, a) ? 1 : 0);
        int allowed = (int)Math.Floor(fpir * n + 1e-9);
        // Accept what ranks strictly before the (allowed+1)-th best non-mated score: at most 'allowed' false positives, ties included.
        double limit = sorted[Math.Min(allowed, n - 1)];
        int hits = 0;
        for (int p = 0; p < n; p++)
            if (ownFirst[p] && (allowed >= n ? Verdict.Same(own[p], limit) : Verdict.Before(own[p], limit))) hits++;
        return 1.0 - (double)hits / n;
    }

    /// <summary>
    /// Draws the gallery (k distinct images per digit) from <paramref name="gallerySet"/> with
    /// <paramref name="rng"/>, and identifies every image of <paramref name="probes"/>.
    /// </summary>
    public static IdentificationResult Evaluate(Evaluator evaluator, ImageSet gallerySet, ImageSet probes,
        int galleryPerDigit, double threshold, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(gallerySet);
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(rng);
        if (galleryPerDigit < 1) throw new ArgumentException($"--gallery must be at least 1, got {galleryPerDigit}", nameof(galleryPerDigit));
        if (double.IsNaN(threshold)) throw new ArgumentException("--threshold must be a number", nameof(threshold));
        if (probes.Count == 0) throw new ArgumentException("identification needs at least one probe image", nameof(probes));

        var gallery = DrawGallery(gallerySet, galleryPerDigit, rng);
        var galleryImages = gallerySet.Subset(gallery);
        var galleryEmbeddings = evaluator.Embed(galleryImages);
        var probeEmbeddings = evaluator.Embed(probes);
        int dim = evaluator.Network.Config.OutputWidth;
        var (correct, unknown) = Identify(galleryEmbeddings, galleryImages.Labels, probeEmbeddings, probes.Labels, dim, threshold, evaluator.DistanceEpsilon);
        int answered = probes.Count - unknown;
        double miss = OpenSetMissRate(galleryEmbeddings, galleryImages.Labels, probeEmbeddings, probes.Labels, dim, evaluator.DistanceEpsilon);
        return new IdentificationResult(galleryPerDigit, probes.Count, threshold,
            (double)correct / probes.Count, (double)unknown / probes.Count,
            answered == 0 ? double.NaN : (double)correct / answered, FixedFpir, miss);
    }

    /// <summary>
    /// Indices of a gallery of <paramref name="galleryPerDigit"/> distinct images per digit of <paramref name="set"/>,
    /// digit 0 first, drawn with <paramref name="rng"/>.
    /// </summary>
    public static int[] DrawGallery(ImageSet set, int galleryPerDigit, Rng rng) => Draw(set, galleryPerDigit, rng, upTo: false);

    /// <summary>
    /// As <see cref="DrawGallery"/>, but a class with fewer than <paramref name="perClass"/> images gives all of them
    /// (a small folder dataset), where <see cref="DrawGallery"/> refuses; a class with enough gives the same images.
    /// </summary>
    public static int[] DrawGalleryUpTo(ImageSet set, int perClass, Rng rng) => Draw(set, perClass, rng, upTo: true);

    static int[] Draw(ImageSet set, int galleryPerDigit, Rng rng, bool upTo)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(rng);
        var byDigit = set.IndicesByClass();
        var gallery = new List<int>();
        for (int d = 0; d < byDigit.Length; d++)
        {
            if (byDigit[d].Length == 0) continue; // a class held out of training has no gallery images
            if (byDigit[d].Length < galleryPerDigit && !upTo)
                throw new ArgumentException($"a gallery of {galleryPerDigit} per digit needs that many images of digit {d}; there are {byDigit[d].Length}", nameof(galleryPerDigit));
            var pool = byDigit[d].ToArray();
            rng.Shuffle(pool.AsSpan());
            gallery.AddRange(pool.AsSpan(0, Math.Min(galleryPerDigit, pool.Length)).ToArray());
        }
        return [.. gallery];
    }

    /// <summary>
    /// The unseen-class variant, within one set of embeddings: for each class of <paramref name="classes"/> (e.g. the
    /// held-out ones), <paramref name="galleryPerClass"/> of its images drawn with <paramref name="rng"/> form the gallery
    /// and its other images are the probes, each answered with the nearest gallery image's class or "unknown" above the threshold.
    /// </summary>
    public static IdentificationResult Evaluate(ReadOnlySpan<float> embeddings, int dim, int[][] byClass, IReadOnlyList<int> classes,
        int galleryPerClass, double threshold, Rng rng, double eps)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(rng);
        if (galleryPerClass < 1) throw new ArgumentException($"--gallery must be at least 1, got {galleryPerClass}", nameof(galleryPerClass));
        if (double.IsNaN(threshold)) throw new ArgumentException("--threshold must be a number", nameof(threshold));
        var gallery = new List<int>();
        var probes = new List<int>();
        foreach (int c in classes)
        {
            if (byClass[c].Length <= galleryPerClass)
                throw new ArgumentException($"a gallery of {galleryPerClass} per class, and a probe, need {galleryPerClass + 1} images of class {c}; there are {byClass[c].Length}", nameof(galleryPerClass));
            var pool = byClass[c].ToArray();
            rng.Shuffle(pool.AsSpan());
            gallery.AddRange(pool.AsSpan(0, galleryPerClass).ToArray());
            probes.AddRange(pool.AsSpan(galleryPerClass).ToArray());
        }
        if (probes.Count == 0) throw new ArgumentException("identification needs at least one probe image", nameof(classes));
        var labelOf = new Dictionary<int, int>();
        foreach (int c in classes)
            foreach (int i in byClass[c])
                labelOf[i] = c;
        var (galleryRows, galleryLabels) = Rows(embeddings, dim, gallery, labelOf);
        var (probeRows, probeLabels) = Rows(embeddings, dim, probes, labelOf);
        var (correct, unknown) = Identify(galleryRows, galleryLabels, probeRows, probeLabels, dim, threshold, eps);
        int answered = probes.Count - unknown;
        double miss = OpenSetMissRate(galleryRows, galleryLabels, probeRows, probeLabels, dim, eps);
        return new IdentificationResult(galleryPerClass, probes.Count, threshold,
            (double)correct / probes.Count, (double)unknown / probes.Count,
            answered == 0 ? double.NaN : (double)correct / answered, FixedFpir, miss);
    }

    static (float[] Rows, int[] Labels) Rows(ReadOnlySpan<float> embeddings, int dim, List<int> indices, Dictionary<int, int> labelOf)
    {
        var rows = new float[indices.Count * dim];
        var labels = new int[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            embeddings.Slice(indices[k] * dim, dim).CopyTo(rows.AsSpan(k * dim));
            labels[k] = labelOf[indices[k]];
        }
        return (rows, labels);
    }

    /// <summary>Counts right answers and "unknown" answers; the nearest gallery image decides (first one on ties).</summary>
    public static (int Correct, int Unknown) Identify(ReadOnlySpan<float> gallery, ReadOnlySpan<int> galleryLabels,
        ReadOnlySpan<float> probes, ReadOnlySpan<int> probeLabels, int dim, double threshold, double eps)
    {
        int galleryCount = galleryLabels.Length;
        int correct = 0, unknown = 0;
        for (int p = 0; p < probeLabels.Length; p++)
        {
            var probe = probes.Slice(p * dim, dim);
            double best = double.PositiveInfinity;
            int bestLabel = -1;
            for (int g = 0; g < galleryCount; g++)
            {
                double e = EmbeddingDistance.Between(probe, gallery.Slice(g * dim, dim), eps);
                if (e < best) { best = e; bestLabel = galleryLabels[g]; }
            }
            if (best > threshold) unknown++;
            else if (bestLabel == probeLabels[p]) correct++;
        }
        return (correct, unknown);
    }

    /// <summary>
    /// The <paramref name="count"/> gallery images nearest to <paramref name="probe"/> (fewer when the gallery is
    /// smaller), nearest first; of equal distances the earlier gallery image comes first.
    /// </summary>
    public static GalleryMatch[] Nearest(ReadOnlySpan<float> gallery, ReadOnlySpan<int> galleryLabels,
        ReadOnlySpan<float> probe, int count, double eps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int dim = probe.Length;
        int kept = Math.Min(count, galleryLabels.Length);
        // The nearest so far, nearest first: one pass, a place found by insertion (count is a handful). An image goes
        // after every kept one at its distance, so the earlier gallery image stays first among equals.
        Span<int> index = kept <= 64 ? stackalloc int[kept] : new int[kept];
        Span<double> distance = kept <= 64 ? stackalloc double[kept] : new double[kept];
        int filled = 0;
        for (int g = 0; g < galleryLabels.Length && kept > 0; g++)
        {
            double e = EmbeddingDistance.Between(probe, gallery.Slice(g * dim, dim), eps);
            if (filled == kept && e >= distance[kept - 1]) continue;
            int at = filled < kept ? filled++ : kept - 1;
            while (at > 0 && distance[at - 1] > e)
            {
                distance[at] = distance[at - 1];
                index[at] = index[at - 1];
                at--;
            }
            distance[at] = e;
            index[at] = g;
        }
        var nearest = new GalleryMatch[filled];
        for (int k = 0; k < filled; k++)
            nearest[k] = new GalleryMatch(index[k], galleryLabels[index[k]], distance[k]);
        return nearest;
    }
}

/// <summary>One gallery image near a probe: its index in the gallery, its digit and its distance to the probe.</summary>
public sealed record GalleryMatch(int GalleryIndex, int Digit, double Distance);
