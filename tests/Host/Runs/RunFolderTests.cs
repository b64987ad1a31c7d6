using GpuSiamese.Host.Runs;

namespace GpuSiamese.Tests.Host.Runs;

public class RunFolderTests
{
    static readonly DateTime When = new(2026, 1, 2, 3, 4, 5);

    [Test]
    public void The_name_is_time_then_seed() =>
        Assert.That(RunFolder.BaseName(When, 18446744073709551615), Is.EqualTo("20260102-030405-s18446744073709551615"));

    [Test]
    public void A_taken_name_gets_a_number_and_the_root_is_made()
    {
        using var dir = new TempFolder();
        string root = Path.Combine(dir.Path, "nested", "runs");
        var first = RunFolder.Create(root, When, 5);
        var second = RunFolder.Create(root, When, 5);
        File.WriteAllText(Path.Combine(root, "20260102-030405-s5-3"), "a file in the way");
        var third = RunFolder.Create(root, When, 5);
        Assert.That(Path.GetFileName(first.Path), Is.EqualTo("20260102-030405-s5"));
        Assert.That(Path.GetFileName(second.Path), Is.EqualTo("20260102-030405-s5-2"));
        Assert.That(Path.GetFileName(third.Path), Is.EqualTo("20260102-030405-s5-4"));
        Assert.That(Directory.Exists(third.Path), Is.True);
        Assert.That(Path.GetFileName(first.Checkpoint), Is.EqualTo("model.ckpt"));
        Assert.That(Path.GetFileName(first.Metrics), Is.EqualTo("metrics.json"));
    }

    [Test]
    public void Only_an_empty_folder_is_removed()
    {
        using var dir = new TempFolder();
        var empty = RunFolder.Create(dir.Path, When, 1);
        var used = RunFolder.Create(dir.Path, When, 2);
        File.WriteAllText(used.Checkpoint, "x");
        empty.RemoveIfEmpty();
        used.RemoveIfEmpty();
        Assert.That(Directory.Exists(empty.Path), Is.False);
        Assert.That(Directory.Exists(used.Path), Is.True);
    }
}
