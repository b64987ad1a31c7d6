namespace GpuSiamese.Data;

/// <summary>
/// Unseen classes (<c>--holdout-classes</c>): classes removed from training and validation entirely, kept for evaluation.
/// The value is either a count (a plain integer, e.g. <c>3</c>: that many classes chosen by the run's seed) or a
/// comma-separated list of class names (<c>Sandal,Bag</c>; a single name that looks like a number takes a trailing comma,
/// <c>7,</c>). Refused: an empty value, a name that is no class, a count below 1, anything leaving fewer than two classes
/// to train on.
/// </summary>
public static class ClassHoldout
{
    /// <summary>The held-out class indices, ascending.</summary>
    public static int[] Choose(string spec, IReadOnlyList<string> classNames, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(rng);
        int k = classNames.Count;
        string value = spec.Trim();
        if (value.Length == 0)
            throw new ArgumentException("--holdout-classes: empty; expected a count (e.g. 3) or a comma-separated list of class names");
        int[] chosen;
        if (!value.Contains(',') && int.TryParse(value, out int count))
        {
            if (count < 1 || count > k - 2)
                throw new ArgumentException($"--holdout-classes {count}: expected a count from 1 to {k - 2} (the dataset has {k} classes and training needs at least two)");
            var order = Enumerable.Range(0, k).ToArray();
            rng.Shuffle(order.AsSpan());
            chosen = order[..count];
        }
        else
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int c = 0; c < k; c++)
                index[classNames[c]] = c;
            var set = new SortedSet<int>();
            foreach (string name in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!index.TryGetValue(name, out int c))
                    throw new ArgumentException($"--holdout-classes: no class named '{name}'; the classes are {string.Join(", ", classNames.Take(12))}{(k > 12 ? ", …" : "")}");
                set.Add(c);
            }
            if (set.Count == 0)
                throw new ArgumentException("--holdout-classes: no class names given; expected a count (e.g. 3) or a comma-separated list of class names");
            chosen = [.. set];
            if (k - chosen.Length < 2)
                throw new ArgumentException($"--holdout-classes {value}: holds out {chosen.Length} of {k} classes, leaving {k - chosen.Length} to train on; training needs at least two");
        }
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>
    /// Training images of the seen classes only; the test images split into seen-class and unseen-class parts; the
    /// unseen part also gains the held-out classes' training images, which training never sees. Labels keep their class indices.
    /// </summary>
    public static HoldoutSplit Apply(Dataset dataset, int[] heldOut)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(heldOut);
        var isHeld = new bool[dataset.ClassCount];
        foreach (int c in heldOut)
            isHeld[c] = true;
        int[] Where(LabelledImages set, bool held) =>
            Enumerable.Range(0, set.Count).Where(i => isHeld[set.Labels[i]] == held).ToArray();
        var unseenTest = dataset.Test.Subset(Where(dataset.Test, true));
        var unseenTrain = dataset.Train.Subset(Where(dataset.Train, true));
        var unseen = new LabelledImages(unseenTest.Shape, [.. unseenTrain.Pixels, .. unseenTest.Pixels], [.. unseenTrain.Labels, .. unseenTest.Labels]);
        return new HoldoutSplit(dataset.Train.Subset(Where(dataset.Train, false)), dataset.Test.Subset(Where(dataset.Test, false)), unseen, heldOut);
    }
}

/// <summary>A dataset with classes held out: training and seen-class test images, and every image of the unseen classes.</summary>
public sealed record HoldoutSplit(LabelledImages Train, LabelledImages SeenTest, LabelledImages Unseen, int[] HeldOut);
