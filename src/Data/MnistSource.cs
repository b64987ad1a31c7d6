namespace GpuSiamese.Data;

/// <summary>MNIST (<see cref="Mnist"/>) as a dataset source: its 60,000/10,000 split, the ten digits as classes, files read as digits.</summary>
public sealed class MnistSource(string? dataDir) : IDatasetSource
{
    public const string SourceName = "mnist";

    public static IReadOnlyList<string> ClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public string Name => SourceName;

    public (ImageFit Fit, InvertMode Invert) FileHandling => (ImageFit.Digit, InvertMode.Auto);

    public Dataset Load(Preprocessing preprocessing, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        var data = Mnist.Load(dataDir, log);
        return FromImageSets(SourceName, ClassNames, data.Train, data.Test, preprocessing, []);
    }

    /// <summary>A dataset from 28x28 labelled image sets (their <see cref="ImageSet.Raw28"/> bytes) at the preprocessing's stored shape.</summary>
    internal static Dataset FromImageSets(string name, IReadOnlyList<string> classNames, ImageSet train, ImageSet test, Preprocessing preprocessing, IReadOnlyList<string> notes) =>
        new(name, classNames, Stored(train, preprocessing), Stored(test, preprocessing), preprocessing, notes);

    static LabelledImages Stored(ImageSet set, Preprocessing preprocessing)
    {
        var raw = set.Raw28 ?? throw new ArgumentException("the image set has no 28x28 originals to store");
        var labels = new int[set.Count];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = set.Labels[i];
        return new LabelledImages(preprocessing.Stored, preprocessing.FromGrey28All(raw, set.Count), labels);
    }
}
