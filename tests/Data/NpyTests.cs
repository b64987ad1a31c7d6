using System.Text;
using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class NpyTests
{
    TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    [TestCase("(3, 2, 14, 14, 1)", 1)]
    [TestCase("(3, 2, 14, 14)", 1)]
    [TestCase("(3, 2, 196)", 2)]
    [TestCase("(3,2,196)", 3)]
    public void ReadsEveryAcceptedPairShape(string shape, int version)
    {
        var (pixels, labels) = NpyBytes.Sample(3);
        string p = _dir.Write("p.npy", NpyBytes.Build("<f4", shape, NpyBytes.Floats(pixels), major: version));
        string l = _dir.Write("l.npy", NpyBytes.Build("<i8", "(3,)", NpyBytes.Int64s(labels.Select(x => (long)x))));
        var read = Npy.ReadPairs(p, l);
        Assert.That(read.Count, Is.EqualTo(3));
        Assert.That(read.Pixels, Is.EqualTo(pixels));
        Assert.That(read.Labels, Is.EqualTo(labels));
    }

    [Test]
    public void ReadsInt32Labels()
    {
        var (pixels, labels) = NpyBytes.Sample(2);
        string p = _dir.Write("p.npy", NpyBytes.Build("<f4", "(2, 2, 196)", NpyBytes.Floats(pixels)));
        string l = _dir.Write("l.npy", NpyBytes.Build("<i4", "(2,)", NpyBytes.Int32s(labels)));
        Assert.That(Npy.ReadPairs(p, l).Labels, Is.EqualTo(labels));
    }

    [Test]
    public void WritesNumPysLayoutAndReadsItBack()
    {
        var (pixels, labels) = NpyBytes.Sample(5);
        string p = _dir.File("p.npy"), l = _dir.File("l.npy");
        Npy.WritePairs(p, l, new PairArrays(pixels, labels));
        // numpy.save's bytes: magic, version 1.0, header length, the dict padded to 64 bytes with a newline.
        Assert.That(File.ReadAllBytes(p), Is.EqualTo(NpyBytes.Build("<f4", "(5, 2, 14, 14, 1)", NpyBytes.Floats(pixels))));
        Assert.That(File.ReadAllBytes(l), Is.EqualTo(NpyBytes.Build("<i8", "(5,)", NpyBytes.Int64s(labels.Select(x => (long)x)))));
        var read = Npy.ReadPairs(p, l);
        Assert.That(read.Pixels, Is.EqualTo(pixels));
        Assert.That(read.Labels, Is.EqualTo(labels));
        Assert.That(Directory.GetFiles(_dir.Path), Has.Length.EqualTo(2), "no temporary files left");
    }

    [Test]
    public void WriteFloat32WritesAnyShape()
    {
        float[] data = [1.5f, -2f, 3.25f, 0f, 1e-8f, float.MaxValue];
        string path = _dir.File("e.npy");
        Npy.WriteFloat32(path, data, 3, 2);
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes, Is.EqualTo(NpyBytes.Build("<f4", "(3, 2)", NpyBytes.Floats(data))));
        Assert.That(bytes.Length % 64, Is.EqualTo(24 % 64), "the header is 64-byte aligned, 24 data bytes follow");
        Npy.WriteFloat32(path, data, 6);
        Assert.That(Encoding.ASCII.GetString(File.ReadAllBytes(path)), Does.Contain("'shape': (6,)"));
        Assert.Throws<ArgumentException>(() => Npy.WriteFloat32(path, data, 4, 2));
    }

    void AssertBad(byte[] pairs, byte[] labels, string culprit, params string[] words)
    {
        string p = _dir.Write("p.npy", pairs);
        string l = _dir.Write("l.npy", labels);
        var e = Assert.Throws<InvalidDataException>(() => Npy.ReadPairs(p, l));
        Assert.That(e!.Message, Does.Contain(culprit == "pairs" ? p : l));
        foreach (string w in words)
            Assert.That(e.Message, Does.Contain(w).IgnoreCase);
    }

    static byte[] GoodPairs(int n = 2) => NpyBytes.Build("<f4", $"({n}, 2, 14, 14, 1)", NpyBytes.Floats(NpyBytes.Sample(n).Pixels));
    static byte[] GoodLabels(int n = 2) => NpyBytes.Build("<i8", $"({n},)", NpyBytes.Int64s(Enumerable.Range(0, n).Select(i => (long)(i % 2))));

    [Test]
    public void WrongDtypeIsRefused()
    {
        AssertBad(NpyBytes.Build("<f8", "(2, 2, 196)", new byte[2 * 392 * 8]), GoodLabels(), "pairs", "dtype '<f8'", "float32");
        AssertBad(NpyBytes.Build(">f4", "(2, 2, 196)", new byte[2 * 392 * 4]), GoodLabels(), "pairs", "'>f4'", "little-endian");
        AssertBad(GoodPairs(), NpyBytes.Build("<f4", "(2,)", new byte[8]), "labels", "'<f4'", "int64");
        AssertBad(GoodPairs(), NpyBytes.Build("|u1", "(2,)", new byte[2]), "labels", "'|u1'");
    }

    [Test]
    public void FortranOrderIsRefused()
    {
        AssertBad(NpyBytes.Build("<f4", "(2, 2, 196)", new byte[2 * 392 * 4], fortran: true), GoodLabels(), "pairs", "Fortran");
        AssertBad(GoodPairs(), NpyBytes.Build("<i8", "(2,)", new byte[16], fortran: true), "labels", "Fortran");
    }

    [TestCase("(2, 2, 14, 13, 1)")]
    [TestCase("(2, 3, 196)")]
    [TestCase("(2, 392)")]
    [TestCase("(2, 2, 14, 14, 2)")]
    [TestCase("()")]
    public void WrongPairShapeIsRefused(string shape)
    {
        AssertBad(NpyBytes.Build("<f4", shape, new byte[16]), GoodLabels(), "pairs", "shape", "(N, 2, 14, 14, 1)");
    }

    [Test]
    public void WrongLabelShapeOrCountIsRefused()
    {
        AssertBad(GoodPairs(), NpyBytes.Build("<i8", "(2, 1)", new byte[16]), "labels", "shape", "(N,)");
        AssertBad(GoodPairs(2), GoodLabels(3), "labels", "3 labels", "2 pairs");
    }

    [Test]
    public void TruncatedOrOverlongDataIsRefused()
    {
        AssertBad(GoodPairs()[..^4], GoodLabels(), "pairs", "truncated");
        AssertBad(GoodPairs(), GoodLabels()[..^1], "labels", "truncated");
        AssertBad([.. GoodPairs(), 0], GoodLabels(), "pairs", "trailing");
        // A header that claims two billion pairs in a small file is refused before anything is allocated.
        AssertBad(NpyBytes.Build("<f4", "(5000000, 2, 196)", new byte[64]), GoodLabels(), "pairs", "truncated");
        AssertBad(GoodPairs()[..8], GoodLabels(), "pairs", "not a .npy");
    }

    [Test]
    public void BadHeadersAndValuesAreRefused()
    {
        AssertBad(Encoding.ASCII.GetBytes("PK\x03\x04 this is a zip file"), GoodLabels(), "pairs", "not a .npy");
        var lying = GoodPairs();
        lying[8] = 0xFF; lying[9] = 0xFF; // header length 65535, longer than the file
        AssertBad(lying, GoodLabels(), "pairs", "header");
        AssertBad(NpyBytes.Build("<f4", "(-2, 2, 196)", []), GoodLabels(), "pairs", "shape");
        var future = GoodPairs();
        future[6] = 9;
        AssertBad(future, GoodLabels(), "pairs", "version 9");
        AssertBad(GoodPairs(), NpyBytes.Build("<i8", "(2,)", NpyBytes.Int64s([0, 2])), "labels", "label 1 is 2");
        AssertBad(NpyBytes.Build("<f4", "(1, 2, 196)", NpyBytes.Floats([float.NaN, .. new float[391]])), GoodLabels(1), "pairs", "non-finite");
    }
}
