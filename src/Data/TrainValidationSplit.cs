namespace GpuSiamese.Data;

/// <summary>Holds a validation part out of the training images, stratified by class and seeded.</summary>
public static class TrainValidationSplit
{
    /// <summary>
    /// For each class d with n_d images, round(n_d · fraction) of them, chosen uniformly, go to validation and the rest
    /// to training; both parts keep the original order of the images. A class that would give validation a single
    /// image gives it two when it has at least four (a small folder's classes must form a same-class pair for the
    /// per-epoch check); a class of thousands, as MNIST's, is never affected.
    /// </summary>
    public static (ImageSet Train, ImageSet Validation) Create(ImageSet train, double validationFraction, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "expected a validation fraction in [0, 1)");
        var byDigit = train.IndicesByClass();
        var keep = new List<int>(train.Count);
        var hold = new List<int>((int)(train.Count * validationFraction) + 10);
        for (int d = 0; d < byDigit.Length; d++)
        {
            var indices = (int[])byDigit[d].Clone();
            rng.Shuffle(indices.AsSpan());
            int held = (int)Math.Round(indices.Length * validationFraction, MidpointRounding.ToEven);
            if (held == 1 && indices.Length >= 4)
                held = 2;
            hold.AddRange(indices.AsSpan(0, held));
            keep.AddRange(indices.AsSpan(held));
        }
        keep.Sort();
        hold.Sort();
        return (train.Subset(keep.ToArray()), train.Subset(hold.ToArray()));
    }
}
