namespace GpuSiamese.Data;

/// <summary>
/// A loaded dataset: class names (labels index them), training and test images stored 8-bit in
/// <see cref="Preprocessing.Stored"/> shape, the preprocessing that made them (and that any image file must go through
/// to be compared with them), and notes for the output (what was dropped and why, classes too small for positives).
/// </summary>
public sealed record Dataset(
    string Name,
    IReadOnlyList<string> ClassNames,
    LabelledImages Train,
    LabelledImages Test,
    Preprocessing Preprocessing,
    IReadOnlyList<string> Notes)
{
    public int ClassCount => ClassNames.Count;
}

/// <summary>Where a dataset comes from: MNIST, Fashion-MNIST, or a folder of class folders.</summary>
public interface IDatasetSource
{
    /// <summary>The name the outputs use: "mnist", "fashion-mnist", or the folder's path.</summary>
    string Name { get; }

    /// <summary>How this source's images are fitted to the stored shape (digits centred, or the whole image stretched) and inverted.</summary>
    (ImageFit Fit, InvertMode Invert) FileHandling { get; }

    /// <summary>Loads the images at the shape <paramref name="preprocessing"/> stores; user faults are exceptions with one-line messages.</summary>
    Dataset Load(Preprocessing preprocessing, Action<string>? log);
}

/// <summary>The one rule that turns the command line's shape options into a <see cref="Preprocessing"/>, for every source.</summary>
public static class DatasetShape
{
    public const int DefaultInputSize = 14;

    /// <summary>
    /// Input <paramref name="channels"/> x size x size; size 14 (the default) is reached, for every source, by MNIST's exact
    /// 2x2 mean pool of 28x28 stored bytes, any other size is stored at that size (pool 1).
    /// </summary>
    public static Preprocessing For(IDatasetSource source, int inputSize = DefaultInputSize, int channels = 1)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (inputSize < 2 || inputSize > 1024)
            throw new ArgumentException($"--input-size {inputSize}: expected 2..1024 pixels");
        var (fit, invert) = source.FileHandling;
        int pool = inputSize == DefaultInputSize ? 2 : 1;
        return new Preprocessing(new ImageShape(channels, inputSize, inputSize), pool, fit, invert).Validated();
    }

    /// <summary>
    /// A --dataset value as runs record it: "mnist" and "fashion-mnist" as they are, a folder as its full path, so that a
    /// checkpoint (and eval, embed or serve reading it) finds the folder from any working directory.
    /// </summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.Trim();
        return trimmed is MnistSource.SourceName or FashionMnist.SourceName || trimmed.Length == 0 ? trimmed : Path.GetFullPath(trimmed);
    }

    /// <summary>The source a --dataset value names: "mnist", "fashion-mnist", else a folder of class folders.</summary>
    public static IDatasetSource Source(string name, string? mnistDataDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return name switch
        {
            MnistSource.SourceName => new MnistSource(mnistDataDir),
            FashionMnist.SourceName => new FashionMnist(),
            _ => new ImageFolder(name),
        };
    }
}
