using System.Security.Cryptography;
using System.Text;

namespace GpuSiamese.Data;

/// <summary>
/// A folder with one subfolder per class holding image files, as torchvision's ImageFolder reads it: classes are the
/// subfolder names in ordinal order (hidden ones, starting with '.', are skipped), images are the files with an image
/// extension (<see cref="ImageFile.Extensions"/>) in the class folder and its real subfolders. Each image is decoded and
/// brought to the stored shape (<see cref="ImageFile.ToStored"/>: whole image stretched, area filter, grey or RGB).
/// <para>Bad input. Refused, with one line naming the folder: a missing or empty folder, fewer than two classes, a class
/// with no usable image. Skipped, with a count and the first names in a note (one bad file among thousands should not stop
/// a run, and the note says exactly what was left out): files that cannot be decoded (not an image, corrupt, truncated,
/// over 50 megapixels), files without an image extension, symbolic links to folders inside a class (never followed, so
/// a link loop cannot recurse), a class folder that links to the dataset folder or above it. Duplicates, found by
/// content: a repeat within a class keeps its first copy; an image in two classes is dropped from all of them (it is
/// both labels at once).</para>
/// <para>Split, by content so that it does not move when files are added or renamed: in a class of n ≥ 2 images the
/// clamp(round(n·<see cref="TestFraction"/>), 1, n−1) with the smallest SHA-256(<see cref="SplitSalt"/> ‖ SHA-256 of the
/// file) are test images; a class of one image is training only, where it serves as a negative.</para>
/// </summary>
public sealed class ImageFolder(string root, double testFraction = ImageFolder.DefaultTestFraction) : IDatasetSource
{
    public const double DefaultTestFraction = 0.2;
    public const string SplitSalt = "gpusiamese image-folder split v1";
    const int NamesInNotes = 3;

    public string Name => root;

    public double TestFraction => testFraction;

    public (ImageFit Fit, InvertMode Invert) FileHandling => (ImageFit.Stretch, InvertMode.NoInvert);

    sealed record FileResult(int Class, string Path, byte[]? Hash, byte[]? Stored, string? Problem);

    public Dataset Load(Preprocessing preprocessing, Action<string>? log)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentException($"test fraction {testFraction}: expected a number between 0 and 1");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"--dataset {root}: no such folder (expected mnist, fashion-mnist, or a folder with one subfolder per class)");
        var notes = new List<string>();
        var (classNames, classDirs) = ClassFolders(full, notes);
        if (classNames.Count == 0)
            throw new InvalidDataException($"--dataset {root}: the folder holds no class folders; expected one subfolder of images per class");
        if (classNames.Count == 1)
            throw new InvalidDataException($"--dataset {root}: one class only ({classNames[0]}); a Siamese network learns from pairs of different classes, so it needs at least two class folders");

        var files = new List<(int Class, string Path)>();
        var ignored = new List<string>();
        var linksNotFollowed = new List<string>();
        for (int c = 0; c < classDirs.Count; c++)
        {
            int before = files.Count;
            CollectFiles(classDirs[c], c, files, ignored, linksNotFollowed);
            if (files.Count == before)
                throw new InvalidDataException($"--dataset {root}: the class folder {classDirs[c]} holds no image files ({string.Join(", ", ImageFile.Extensions)})");
        }
        Note(notes, ignored, "files without an image extension were ignored");
        Note(notes, linksNotFollowed, "symbolic links to folders inside class folders were not followed");

        var shape = preprocessing.Stored;
        var results = new FileResult[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (c, path) = files[i];
            try
            {
                byte[] bytes = File.ReadAllBytes(path);
                byte[] hash = SHA256.HashData(bytes);
                var (rgba, w, h) = ImageFile.DecodeRgba(bytes, path);
                results[i] = new FileResult(c, path, hash, ImageFile.ToStored(rgba, w, h, shape, preprocessing.Invert), null);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                results[i] = new FileResult(c, path, null, null, e.Message);
            }
        });
        var unreadable = results.Where(r => r.Stored is null).ToList();
        if (unreadable.Count > 0)
            notes.Add($"{unreadable.Count} image files could not be read and were skipped: "
                + string.Join("; ", unreadable.Take(NamesInNotes).Select(r => r.Problem)) + (unreadable.Count > NamesInNotes ? "; …" : ""));

        var good = Deduplicate(results.Where(r => r.Stored is not null).ToList(), notes);
        var perClass = new int[classNames.Count];
        foreach (var r in good)
            perClass[r.Class]++;
        for (int c = 0; c < perClass.Length; c++)
            if (perClass[c] == 0)
                throw new InvalidDataException($"--dataset {root}: no usable image left in the class folder {classDirs[c]} ({notes.LastOrDefault() ?? "every file was skipped"})");
        var singletons = Enumerable.Range(0, perClass.Length).Where(c => perClass[c] == 1).Select(c => classNames[c]).ToList();
        Note(notes, singletons, "classes hold a single image: they cannot form positive pairs and serve only as negatives");

        var (train, test) = Split(good, classNames.Count, shape);
        log?.Invoke($"{root}: {classNames.Count} classes, {train.Count} training and {test.Count} test images at {shape} ({clock.Elapsed.TotalSeconds:F1} s)");
        foreach (string n in notes)
            log?.Invoke("warning: " + n);
        return new Dataset(root, classNames, train, test, preprocessing, notes);
    }

    /// <summary>Class folders in ordinal order; hidden folders skipped; a link to the dataset folder itself or above it skipped as a loop.</summary>
    static (List<string> Names, List<string> Dirs) ClassFolders(string full, List<string> notes)
    {
        var names = new List<string>();
        var dirs = new List<string>();
        var loops = new List<string>();
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        foreach (var dir in new DirectoryInfo(full).EnumerateDirectories("*", options).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (dir.Name.StartsWith('.'))
                continue;
            if (dir.LinkTarget is not null)
            {
                string target = dir.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "";
                string rootWithSlash = Path.TrimEndingDirectorySeparator(full) + Path.DirectorySeparatorChar;
                if (!Directory.Exists(target) || rootWithSlash.StartsWith(Path.TrimEndingDirectorySeparator(target) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    loops.Add(dir.Name);
                    continue;
                }
            }
            names.Add(dir.Name);
            dirs.Add(dir.FullName);
        }
        Note(notes, loops, "class folders are symbolic links to the dataset folder, above it, or nowhere (a loop) and were skipped");
        return (names, dirs);
    }

    /// <summary>Image files of one class, recursing into real subfolders only; ordinal order within each folder.</summary>
    static void CollectFiles(string dir, int c, List<(int, string)> files, List<string> ignored, List<string> linksNotFollowed)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        var entries = new DirectoryInfo(dir).EnumerateFileSystemInfos("*", options).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        foreach (var e in entries)
        {
            if (e.Name.StartsWith('.'))
                continue;
            if (e is DirectoryInfo sub)
            {
                if (sub.LinkTarget is not null)
                    linksNotFollowed.Add(sub.FullName);
                else
                    CollectFiles(sub.FullName, c, files, ignored, linksNotFollowed);
            }
            else if (ImageFile.HasImageExtension(e.Name))
                files.Add((c, e.FullName));
            else
                ignored.Add(e.FullName);
        }
    }

    /// <summary>Repeats within a class keep the first copy; an image in two or more classes is dropped from all.</summary>
    static List<FileResult> Deduplicate(List<FileResult> results, List<string> notes)
    {
        var classesOf = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            string key = Convert.ToHexString(r.Hash!);
            if (!classesOf.TryGetValue(key, out var set))
                classesOf[key] = set = [];
            set.Add(r.Class);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<FileResult>(results.Count);
        var repeats = new List<string>();
        var twoClasses = new List<string>();
        foreach (var r in results)
        {
            string key = Convert.ToHexString(r.Hash!);
            if (classesOf[key].Count > 1)
                twoClasses.Add(r.Path);
            else if (!seen.Add(key))
                repeats.Add(r.Path);
            else
                kept.Add(r);
        }
        Note(notes, repeats, "files repeat an earlier image of their class and were skipped");
        Note(notes, twoClasses, "files hold an image that is also in another class and were dropped from every class");
        return kept;
    }

    (LabelledImages Train, LabelledImages Test) Split(List<FileResult> good, int classCount, ImageShape shape)
    {
        var salt = Encoding.UTF8.GetBytes(SplitSalt);
        var byClass = new List<(string Key, FileResult R)>[classCount];
        for (int c = 0; c < classCount; c++)
            byClass[c] = [];
        foreach (var r in good)
            byClass[r.Class].Add((Convert.ToHexString(SHA256.HashData([.. salt, .. r.Hash!])), r));
        var train = new List<FileResult>();
        var test = new List<FileResult>();
        foreach (var items in byClass)
        {
            int n = items.Count;
            int t = n >= 2 ? Math.Clamp((int)Math.Round(n * testFraction, MidpointRounding.ToEven), 1, n - 1) : 0;
            var testKeys = items.Select(x => x.Key).OrderBy(k => k, StringComparer.Ordinal).Take(t).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, r) in items)
                (testKeys.Contains(key) ? test : train).Add(r);
        }
        return (Stack(train, shape), Stack(test, shape));
    }

    static LabelledImages Stack(List<FileResult> items, ImageShape shape)
    {
        var pixels = new byte[(long)items.Count * shape.Size];
        var labels = new int[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            items[i].Stored!.CopyTo(pixels, (long)i * shape.Size);
            labels[i] = items[i].Class;
        }
        return new LabelledImages(shape, pixels, labels);
    }

    static void Note(List<string> notes, List<string> names, string what)
    {
        if (names.Count > 0)
            notes.Add($"{names.Count} {what}: {string.Join(", ", names.Take(NamesInNotes))}{(names.Count > NamesInNotes ? ", …" : "")}");
    }
}
