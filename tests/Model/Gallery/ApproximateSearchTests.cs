using GpuSiamese.Model.Gallery;
using GpuSiamese.Tests.Data;

namespace GpuSiamese.Tests.Model.Gallery;

/// <summary>The USearch index behind the folder store: same top-1 as the exact scan after re-ranking, saved, rebuilt when stale.</summary>
public class ApproximateSearchTests
{
    const int Dim = 16;
    static readonly GalleryModel Model = new(new string('a', 64), Dim, 1e-12, 2.0, 0, "validation", "validation split, Youden point");

    static float[] Noisy(Random r, float[] centre, double sigma) => [.. centre.Select(c => (float)(c + sigma * Gaussian(r)))];

    static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [Test]
    public void Indexed_search_gives_the_exact_scans_top_identity_and_is_saved_and_rebuilt_when_stale()
    {
        using var dir = new TempFolder();
        string g = dir.File("g");
        var r = new Random(25);
        var centres = Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, Dim).Select(_ => (float)Gaussian(r)).ToArray()).ToArray();
        using (var store = FolderGalleryStore.Create(g, Model))
            for (int i = 0; i < centres.Length; i++)
                store.Add($"id-{i:D2}", [.. Enumerable.Range(0, 5).Select(_ => new EnrolledEmbedding(Noisy(r, centres[i], 0.2), "synthetic", DateTime.UnixEpoch))]);

        using var exact = FolderGalleryStore.Open(g);
        using var indexed = FolderGalleryStore.Open(g);
        indexed.IndexThreshold = 100;
        indexed.Candidates = 16;
        for (int q = 0; q < 40; q++)
        {
            var probe = Noisy(r, centres[q % centres.Length], 0.3);
            var a = exact.Identify(probe, 3);
            var b = indexed.Identify(probe, 3);
            Assert.That(b[0], Is.EqualTo(a[0]), $"probe {q}: top-1 after exact re-ranking");
        }
        Assert.That((exact.Indexed, indexed.Indexed, indexed.IndexOrigin), Is.EqualTo((false, true, "built")));
        Assert.That(File.Exists(Path.Combine(g, "index.usearch")), Is.True);

        using (var again = FolderGalleryStore.Open(g))
        {
            again.IndexThreshold = 100;
            again.Identify(centres[0], 1);
            Assert.That(again.IndexOrigin, Is.EqualTo("loaded"), "the saved index's stamp is the folder's");
            // A live index grows with an enrolment and forgets a removal.
            var newcomer = Noisy(r, centres[0], 3);
            again.Add("newcomer", [new EnrolledEmbedding(newcomer, "synthetic", DateTime.UnixEpoch)]);
            Assert.That(again.Identify(newcomer, 1)[0].Name, Is.EqualTo("newcomer"));
            again.Remove("newcomer");
            Assert.That(again.Identify(newcomer, 1)[0].Name, Is.Not.EqualTo("newcomer"));
            again.Add("late", [new EnrolledEmbedding(newcomer, "synthetic", DateTime.UnixEpoch)]);
        }
        using var stale = FolderGalleryStore.Open(g);
        stale.IndexThreshold = 100;
        Assert.That(stale.Identify(Noisy(r, centres[5], 0.01), 1)[0].Name, Is.EqualTo("id-05"));
        Assert.That(stale.IndexOrigin, Is.EqualTo("built"), "an enrolment since the save makes the saved index stale");
        File.Delete(Path.Combine(g, "index.usearch"));
        using var missing = FolderGalleryStore.Open(g);
        missing.IndexThreshold = 100;
        missing.Identify(centres[1], 1);
        Assert.That(missing.IndexOrigin, Is.EqualTo("built"));
    }
}
