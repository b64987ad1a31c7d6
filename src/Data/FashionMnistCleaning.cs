namespace GpuSiamese.Data;

/// <summary>
/// What validation dropped from Fashion-MNIST's records, by reason, and the rules: a record that is not a list of 784
/// integers in 0..255 is dropped; an image repeated within a class keeps its first copy (a repeat would pair an image
/// with itself as a positive, or sit in both training and test); an image found under two classes is dropped from every
/// class (it is both labels at once, and a negative pair of it would have distance zero).
/// </summary>
public sealed record FashionMnistCleaning(int Records, int Kept, IReadOnlyDictionary<string, int> Dropped)
{
    public const string Empty = "empty record";
    public const string WrongLength = "not 784 values";
    public const string BadValue = "a value that is not an integer in 0..255";
    public const string NotAList = "not a list";
    public const string Repeat = "repeat of an earlier image of its class";
    public const string TwoClasses = "same image under two classes";

    /// <summary>The kept images of each class in package order, and the counts.</summary>
    public static (List<byte[]>[] Kept, FashionMnistCleaning Report) Clean(IReadOnlyList<List<(byte[]? Image, string? Problem)>> records)
    {
        var dropped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Drop(string reason, int n = 1)
        {
            if (n > 0)
                dropped[reason] = dropped.GetValueOrDefault(reason) + n;
        }
        int total = 0;
        // First the per-record validity, then repeats within each class.
        var unique = new List<byte[]>[records.Count];
        var classesOf = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        for (int c = 0; c < records.Count; c++)
        {
            unique[c] = [];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (image, problem) in records[c])
            {
                total++;
                if (image is null)
                {
                    Drop(problem ?? NotAList);
                    continue;
                }
                string key = Convert.ToHexString(image);
                if (!seen.Add(key))
                {
                    Drop(Repeat);
                    continue;
                }
                unique[c].Add(image);
                if (!classesOf.TryGetValue(key, out var set))
                    classesOf[key] = set = [];
                set.Add(c);
            }
        }
        var kept = new List<byte[]>[records.Count];
        int keptCount = 0;
        for (int c = 0; c < records.Count; c++)
        {
            kept[c] = [];
            foreach (var image in unique[c])
            {
                if (classesOf[Convert.ToHexString(image)].Count > 1)
                {
                    Drop(TwoClasses);
                    continue;
                }
                kept[c].Add(image);
            }
            keptCount += kept[c].Count;
        }
        return (kept, new FashionMnistCleaning(total, keptCount, dropped));
    }

    /// <summary>One line: "70002 records, 69944 kept; dropped: 2 empty record, 54 …".</summary>
    public string Describe() =>
        $"{Records} records, {Kept} kept" + (Dropped.Count == 0 ? "" : "; dropped: " + string.Join(", ", Dropped.Select(d => $"{d.Value} {d.Key}")));
}
