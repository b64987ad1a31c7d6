using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class IdxTests
{
    TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    (string Images, string Labels) WriteValid(int count, bool gzip = false)
    {
        var (pixels, labels) = IdxBytes.RandomDigits(count, 5);
        var images = IdxBytes.Images(count, 28, 28, pixels);
        var labelBytes = IdxBytes.Labels(labels);
        return (_dir.Write("img", gzip ? IdxBytes.Gzip(images) : images), _dir.Write("lbl", gzip ? IdxBytes.Gzip(labelBytes) : labelBytes));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReadsPlainAndGzipFiles(bool gzip)
    {
        var (pixels, labels) = IdxBytes.RandomDigits(30, 5);
        var (imagesPath, labelsPath) = WriteValid(30, gzip);
        var set = Idx.Load(imagesPath, labelsPath);
        Assert.That(set.Count, Is.EqualTo(30));
        Assert.That(set.Labels, Is.EqualTo(labels));
        Assert.That(set.Raw28, Is.EqualTo(pixels));
        var expected = new float[196];
        Downsample.Pool(pixels.AsSpan(29 * 784, 784), expected);
        Assert.That(set.Image(29).ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void ReadsImagesOfOtherSizes()
    {
        var path = _dir.Write("img", IdxBytes.Images(2, 3, 5, [.. Enumerable.Range(0, 30).Select(i => (byte)i)]));
        var (pixels, count, rows, cols) = Idx.ReadImages(path);
        Assert.That((count, rows, cols), Is.EqualTo((2, 3, 5)));
        Assert.That(pixels[29], Is.EqualTo(29));
        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(path, _dir.Write("lbl", IdxBytes.Labels([1, 2]))));
        Assert.That(e!.Message, Does.Contain("3x5").And.Contain("28x28"));
    }

    static void AssertProblem(Action read, string path, params string[] words)
    {
        var e = Assert.Throws<InvalidDataException>(() => read());
        Assert.That(e!.Message, Does.Contain(path));
        foreach (string w in words)
            Assert.That(e.Message, Does.Contain(w).IgnoreCase);
    }

    [Test]
    public void WrongMagicIsRefused()
    {
        var (pixels, _) = IdxBytes.RandomDigits(2, 1);
        string images = _dir.Write("img", IdxBytes.Images(2, 28, 28, pixels, magic: 2049));
        AssertProblem(() => Idx.ReadImages(images), images, "magic", "2051");
        string labels = _dir.Write("lbl", IdxBytes.Labels([1, 2], magic: 2051));
        AssertProblem(() => Idx.ReadLabels(labels), labels, "magic", "2049");
    }

    [Test]
    public void TruncatedDataIsRefused()
    {
        var (pixels, _) = IdxBytes.RandomDigits(3, 1);
        var bytes = IdxBytes.Images(3, 28, 28, pixels);
        string path = _dir.Write("img", bytes[..^100]);
        AssertProblem(() => Idx.ReadImages(path), path, "truncated");
        string header = _dir.Write("hdr", bytes[..10]);
        AssertProblem(() => Idx.ReadImages(header), header, "truncated", "header");
        string empty = _dir.Write("empty", []);
        AssertProblem(() => Idx.ReadLabels(empty), empty, "truncated");
    }

    [Test]
    public void TrailingBytesAreRefused()
    {
        string path = _dir.Write("lbl", [.. IdxBytes.Labels([1, 2, 3]), 0]);
        AssertProblem(() => Idx.ReadLabels(path), path, "trailing");
        string gz = _dir.Write("lbl.gz", IdxBytes.Gzip([.. IdxBytes.Labels([1, 2, 3]), 0]));
        AssertProblem(() => Idx.ReadLabels(gz), gz, "trailing");
    }

    [Test]
    public void HeaderSizesThatLieAreRefusedBeforeAllocating()
    {
        var (pixels, _) = IdxBytes.RandomDigits(2, 1);
        // Claims 2^31-1 images of 28x28: far beyond both the file and any array; must fail on the header alone.
        string huge = _dir.Write("huge", IdxBytes.Images(int.MaxValue, 28, 28, pixels));
        AssertProblem(() => Idx.ReadImages(huge), huge, "header");
        string hugeGz = _dir.Write("huge.gz", IdxBytes.Gzip(IdxBytes.Images(int.MaxValue, 28, 28, pixels)));
        AssertProblem(() => Idx.ReadImages(hugeGz), hugeGz, "header");
        // Claims 100 images but holds 2: a size the file cannot hold.
        string lying = _dir.Write("lie", IdxBytes.Images(100, 28, 28, pixels));
        AssertProblem(() => Idx.ReadImages(lying), lying, "header promises");
        string lyingGz = _dir.Write("lie.gz", IdxBytes.Gzip(IdxBytes.Images(100, 28, 28, pixels)));
        AssertProblem(() => Idx.ReadImages(lyingGz), lyingGz, "truncated");
        string zero = _dir.Write("zero", IdxBytes.Images(2, 0, 28, []));
        AssertProblem(() => Idx.ReadImages(zero), zero, "dimension");
        string negative = _dir.Write("neg", IdxBytes.Labels([1], count: -1));
        AssertProblem(() => Idx.ReadLabels(negative), negative, "dimension");
    }

    [Test]
    public void LabelsOutsideZeroToNineAreRefused()
    {
        string path = _dir.Write("lbl", IdxBytes.Labels([0, 9, 10]));
        AssertProblem(() => Idx.ReadLabels(path), path, "label 2 is 10", "0..9");
    }

    [Test]
    public void ImageAndLabelCountsMustAgree()
    {
        var (pixels, _) = IdxBytes.RandomDigits(3, 1);
        string images = _dir.Write("img", IdxBytes.Images(3, 28, 28, pixels));
        string labels = _dir.Write("lbl", IdxBytes.Labels([1, 2]));
        AssertProblem(() => Idx.Load(images, labels), images, "3 images", "2 labels");
    }

    [Test]
    public void CorruptGzipIsRefusedNamingTheFile()
    {
        var gz = IdxBytes.Gzip(IdxBytes.Labels([.. Enumerable.Range(0, 1000).Select(i => (byte)(i % 10))]));
        var corrupt = (byte[])gz.Clone();
        for (int i = 12; i < corrupt.Length - 8; i += 3)
            corrupt[i] ^= 0x5A;
        string path = _dir.Write("corrupt.gz", corrupt);
        AssertProblem(() => Idx.ReadLabels(path), path);
        string truncated = _dir.Write("cut.gz", gz[..(gz.Length / 2)]);
        AssertProblem(() => Idx.ReadLabels(truncated), truncated);
    }

    [Test]
    public void AMissingFileIsAFileNotFoundException()
    {
        Assert.Throws<FileNotFoundException>(() => Idx.ReadLabels(_dir.File("absent")));
    }
}
