using GpuSiamese.Model.Gallery;
using GpuSiamese.Tests.Data;

namespace GpuSiamese.Tests.Model.Gallery;

/// <summary>The folder store: its files, its refusals, exact search, and many writers at once.</summary>
public class FolderGalleryStoreTests
{
    static readonly GalleryModel Model = new("ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12", 2, 1e-12, 1.5, 0.001, "validation",
        "validation split, FAR 0.001");

    static EnrolledEmbedding At(float x, float y, string source = "test") => new([x, y], source, new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc));

    [Test]
    public void Enrolled_identities_survive_reopening_with_their_model_and_threshold()
    {
        using var dir = new TempFolder();
        string g = dir.File("g");
        using (var store = FolderGalleryStore.Create(g, Model))
        {
            store.Add("alice", [At(0, 0), At(0, 1)]);
            store.Add("bob", [At(10, 0)]);
            Assert.That(store.Add("alice", [At(1, 0)]).Embeddings, Is.EqualTo(3), "a second add appends");
        }
        using var reopened = FolderGalleryStore.Open(g, Model.CheckpointSha256);
        Assert.That(reopened.Model, Is.EqualTo(Model));
        Assert.That(reopened.List().Select(i => (i.Name, i.Embeddings)), Is.EqualTo(new[] { ("alice", 3), ("bob", 1) }));
        Assert.That(reopened.Count, Is.EqualTo(4));
    }

    [Test]
    public void Identify_ranks_identities_by_their_nearest_embedding_and_marks_matches_within_the_threshold()
    {
        using var dir = new TempFolder();
        using var store = FolderGalleryStore.Create(dir.File("g"), Model);
        store.Add("alice", [At(0, 0), At(5, 0)]);
        store.Add("bob", [At(3, 0)]);
        store.Add("carol", [At(-4, 0)]);
        var hits = store.Identify([4, 0], 2);
        Assert.That(hits.Select(h => h.Name), Is.EqualTo(new[] { "alice", "bob" }), "alice's nearest is 1 away, bob 1 away too: names break the tie");
        Assert.That(hits[0].Distance, Is.EqualTo(1).Within(1e-9));
        Assert.That(hits.All(h => h.Match), Is.True);
        var far = store.Identify([20, 0], 5);
        Assert.That(far.Select(h => h.Name), Is.EqualTo(new[] { "alice", "bob", "carol" }));
        Assert.That(far.Any(h => h.Match), Is.False, "15 away is beyond the threshold 1.5");
        Assert.That(store.Verify([-4, 1], "carol")!.Match, Is.True);
        Assert.That(store.Verify([-4, 2], "carol")!.Match, Is.False, "2 away");
        Assert.That(store.Verify([0, 0], "dave"), Is.Null);
    }

    [Test]
    public void Remove_takes_the_identity_off_disk()
    {
        using var dir = new TempFolder();
        string g = dir.File("g");
        using (var store = FolderGalleryStore.Create(g, Model))
        {
            store.Add("alice", [At(0, 0)]);
            store.Add("bob", [At(1, 0)]);
            Assert.That(store.Remove("alice"), Is.True);
            Assert.That(store.Remove("alice"), Is.False);
        }
        using var reopened = FolderGalleryStore.Open(g);
        Assert.That(reopened.List().Select(i => i.Name), Is.EqualTo(new[] { "bob" }));
    }

    [Test]
    public void Another_models_gallery_a_missing_one_and_a_corrupt_identity_are_refused_in_one_line()
    {
        using var dir = new TempFolder();
        string g = dir.File("g");
        using (var store = FolderGalleryStore.Create(g, Model)) store.Add("alice", [At(0, 0)]);
        var other = Assert.Throws<ArgumentException>(() => FolderGalleryStore.Open(g, new string('0', 64)))!;
        Assert.That(other.Message, Does.Contain("belongs to another model").And.Not.Contain("\n"));
        Assert.That(Assert.Throws<ArgumentException>(() => FolderGalleryStore.Open(dir.File("none")))!.Message, Does.Contain("gallery create"));
        Assert.That(Assert.Throws<ArgumentException>(() => FolderGalleryStore.Create(g, Model))!.Message, Does.Contain("already exists"));
        string file = Directory.GetFiles(Path.Combine(g, FolderGalleryStore.IdentitiesFolder), "*.id").Single();
        var bytes = File.ReadAllBytes(file);
        bytes[20] ^= 1;
        File.WriteAllBytes(file, bytes);
        Assert.That(Assert.Throws<InvalidDataException>(() => FolderGalleryStore.Open(g))!.Message, Does.Contain("SHA-256"));
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase(" alice")]
    [TestCase("a\nb")]
    public void Bad_names_and_embeddings_are_refused(string name)
    {
        using var dir = new TempFolder();
        using var store = FolderGalleryStore.Create(dir.File("g"), Model);
        Assert.Throws<ArgumentException>(() => store.Add(name, [At(0, 0)]));
        Assert.Throws<ArgumentException>(() => store.Add("alice", [new EnrolledEmbedding([1, 2, 3], "x", DateTime.UtcNow)]));
        Assert.Throws<ArgumentException>(() => store.Add("alice", [At(float.NaN, 0)]));
        Assert.Throws<ArgumentException>(() => store.Add("alice", []));
        Assert.Throws<ArgumentException>(() => store.Identify([1, 2, 3], 1));
        Assert.That(store.List(), Is.Empty);
    }

    [Test]
    public void Sixteen_writers_on_two_open_stores_lose_no_embedding()
    {
        // Two store objects on one folder stand for two processes: each add re-reads its identity under the folder lock.
        using var dir = new TempFolder();
        string g = dir.File("g");
        using var first = FolderGalleryStore.Create(g, Model);
        using var second = FolderGalleryStore.Open(g);
        const int Writers = 16, Adds = 10;
        Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, w =>
        {
            var store = w % 2 == 0 ? first : second;
            for (int a = 0; a < Adds; a++)
                store.Add($"shared-{a % 3}", [At(w, a, $"{w}-{a}")]);
        });
        using var reopened = FolderGalleryStore.Open(g);
        Assert.That(reopened.Count, Is.EqualTo(Writers * Adds));
        Assert.That(reopened.List().Select(i => i.Name), Is.EqualTo(new[] { "shared-0", "shared-1", "shared-2" }));
    }
}
