using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Options;

namespace GpuSiamese.Tests.Host.Commands;

public class EmbedCommandTests
{
    [Test]
    public void A_split_goes_to_csv_with_labels()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt");
        File.WriteAllBytes(model, [0]);
        var jobs = new FakeModelJobs();
        var run = HostRun.Of(jobs, "embed", "--model", model, "--split", "validation", "--out", dir.File("e.csv"), "--seed", "3");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That((jobs.EmbeddedWith!.Split, jobs.EmbeddedWith.Seed), Is.EqualTo(((DataSplit?)DataSplit.Validation, 3UL)));
        Assert.That(File.ReadAllLines(dir.File("e.csv")), Is.EqualTo(new[]
            { "label,e0,e1", "7,0.5,-1.25", "2,3,0.125", "1,2,-0.75" }));
        Assert.That(run.Out, Does.Contain("embeddings      3 x 2"));
    }

    [Test]
    public void Image_files_go_to_npy_as_a_float32_matrix()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt"), a = dir.File("a.png"), b = dir.File("b,c.png");
        foreach (var f in new[] { model, a, b }) File.WriteAllBytes(f, [0]);
        var run = HostRun.Of(new FakeModelJobs(), "embed", "--model", model, a, b, "--out", dir.File("e.npy"), "--invert");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        byte[] npy = File.ReadAllBytes(dir.File("e.npy"));
        string header = System.Text.Encoding.ASCII.GetString(npy, 10, npy[8] | npy[9] << 8);
        Assert.That(header, Does.Contain("'descr': '<f4'").And.Contain("'shape': (2, 2)"));
        int data = 10 + (npy[8] | npy[9] << 8);
        Assert.That(npy.Length - data, Is.EqualTo(4 * 4));
        Assert.That(BitConverter.ToSingle(npy, data + 4), Is.EqualTo(-1.25f));
    }

    [Test]
    public void Image_file_names_in_csv_are_quoted_when_needed()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt"), b = dir.File("b,c.png");
        foreach (var f in new[] { model, b }) File.WriteAllBytes(f, [0]);
        Assert.That(HostRun.Of(new FakeModelJobs(), "embed", "--model", model, b, "--out", dir.File("e.csv")).ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllLines(dir.File("e.csv")), Is.EqualTo(new[] { "file,e0,e1", "\"b,c.png\",0.5,-1.25" }));
    }

    [TestCase(new[] { "--out", "e.csv" }, "error: embed needs either --split or image files, not both and not neither")]
    [TestCase(new[] { "--split", "test", "a.png", "--out", "e.csv" }, "error: embed needs either --split or image files, not both and not neither")]
    [TestCase(new[] { "--split", "test", "--out", "e.txt" }, "error: --out 'e.txt': expected a file name ending in .npy or .csv")]
    [TestCase(new[] { "--split", "holdout", "--out", "e.csv" }, "error: --split expects one of train|validation|test, got 'holdout'")]
    public void Bad_requests_are_refused(string[] args, string message)
    {
        var run = HostRun.Of(new FakeModelJobs(), ["embed", "--model", "m.ckpt", .. args]);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith(message));
    }
}
