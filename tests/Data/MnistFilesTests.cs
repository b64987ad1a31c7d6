using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class MnistFilesTests
{
    [Test]
    public void FindsEveryAcceptedSpelling()
    {
        using var dir = new TempFolder();
        dir.Write("train-images-idx3-ubyte", [1]);
        dir.Write("train-labels.idx1-ubyte", [1]);
        dir.Write("t10k-images-idx3-ubyte.gz", [1]);
        dir.Write("t10k-labels.idx1-ubyte.gz", [1]);
        var found = MnistFiles.FindAll(dir.Path);
        Assert.That(found!.Select(Path.GetFileName), Is.EqualTo(new[]
        {
            "train-images-idx3-ubyte", "train-labels.idx1-ubyte", "t10k-images-idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz",
        }));
        Assert.That(MnistFiles.Missing(dir.Path), Is.Empty);
    }

    [Test]
    public void AnIncompleteFolderIsNotAFind()
    {
        using var dir = new TempFolder();
        dir.Write("train-images-idx3-ubyte", [1]);
        Assert.That(MnistFiles.FindAll(dir.Path), Is.Null);
        Assert.That(MnistFiles.Missing(dir.Path), Is.EqualTo(new[] { "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }));
        Assert.That(MnistFiles.FindAll(dir.File("absent")), Is.Null);
    }
}
