using GpuSiamese.Data;
using GpuSiamese.Model;
using GpuSiamese.Tests.Robustness;

namespace GpuSiamese.Tests.Data;

/// <summary>
/// Temporary files left by a writer that died mid-write are removed by the next save, resume or load in their folder;
/// one a live process may still be writing is never touched.
/// </summary>
public class TemporaryFilesTests
{
    TempFolder _dir = null!;

    [SetUp] public void SetUp() => _dir = new TempFolder();
    [TearDown] public void TearDown() => _dir.Dispose();

    /// <summary>A temporary of model.ckpt as <see cref="TemporaryFiles.For"/> names them, said to be written by <paramref name="pid"/>.</summary>
    string Left(int pid, DateTime? lastWriteUtc = null)
    {
        string path = _dir.File($".model.ckpt.{pid}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(path, new byte[100]);
        if (lastWriteUtc is { } t) File.SetLastWriteTimeUtc(path, t);
        return path;
    }

    [Test]
    public void The_name_holds_the_target_and_this_process()
    {
        string name = Path.GetFileName(TemporaryFiles.For(_dir.File("model.ckpt")));
        Assert.That(name, Does.Match($@"^\.model\.ckpt\.{Environment.ProcessId}\.[0-9a-f]{{32}}\.tmp$"));
    }

    [Test]
    public void Only_temporaries_of_gone_writers_are_removed()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("pid 1 is a live process that started before any test file on Linux");
        string dead = Left(int.MaxValue);                                   // no process can have this pid
        string reused = Left(1, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc)); // pid 1 started after this was written
        string live = Left(1);                                              // pid 1 is alive and older than the file
        string mine = Left(Environment.ProcessId);                          // this process may be writing it
        string other = _dir.File(".notes.tmp");                              // not a name the writers make
        File.WriteAllText(other, "x");

        Assert.That(TemporaryFiles.RemoveStale(_dir.Path), Is.EqualTo(2));
        Assert.That((File.Exists(dead), File.Exists(reused), File.Exists(live), File.Exists(mine), File.Exists(other)),
            Is.EqualTo((false, false, true, true, true)));
    }

    [Test]
    public void Saving_and_loading_a_checkpoint_remove_a_dead_writers_temporary()
    {
        string checkpoint = SmallRun.WriteCheckpoint(_dir.File("model.ckpt"));
        string first = Left(int.MaxValue);
        CheckpointFile.Load(checkpoint);
        Assert.That(File.Exists(first), Is.False, "load");
        string second = Left(int.MaxValue);
        SmallRun.WriteCheckpoint(checkpoint);
        Assert.That(File.Exists(second), Is.False, "save");
        Assert.That(Directory.GetFiles(_dir.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "model.ckpt" }));
    }
}
