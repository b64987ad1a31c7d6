using System.Text.RegularExpressions;
using GpuSiamese.Model;
using GpuSiamese.Model.Gallery;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Model.Interchange;
using SkiaSharp;

namespace GpuSiamese.Tests.Robustness;

/// <summary>
/// kill -9 during enrolment, in a loop: the real program enrols a folder of class folders into one gallery and is
/// frozen (SIGSTOP) at seeded random moments until one of its identity writes is caught in progress (a temporary file
/// beside the identities), then killed frozen. After each kill the gallery must open, with no temporary left, every
/// identity whole (grown by all of one add's images or by none) and every identity the child reported enrolled there.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GalleryKillTests
{
    const int Identities = 40, ImagesPerIdentity = 2, Kills = 12;

    [Test]
    public void Kills_during_enrolment_leave_no_half_enrolled_and_no_lost_identity()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt");
        var checkpoint = OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 9);
        CheckpointFile.Save(model, checkpoint);
        string faces = dir.File("faces");
        for (int i = 0; i < Identities; i++)
        {
            string sub = Path.Combine(faces, $"person-{i:D2}");
            Directory.CreateDirectory(sub);
            for (int j = 0; j < ImagesPerIdentity; j++)
            {
                using var seven = DrawnDigits.Seven(28, 28, 2 + i % 9, 3 + j * 2, 16 + i % 5, SKColors.White, SKColors.Black);
                File.WriteAllBytes(Path.Combine(sub, $"{j}.png"), DrawnDigits.Encode(seven, SKEncodedImageFormat.Png));
            }
        }
        string gallery = dir.File("gallery");
        FolderGalleryStore.Create(gallery, GalleryService.ModelOf(checkpoint, FolderGalleryStore.HashOf(model))).Dispose();
        string identities = Path.Combine(gallery, FolderGalleryStore.IdentitiesFolder);

        var random = new Random(20261207);
        var before = new Dictionary<string, int>();
        int insideWrites = 0;
        for (int k = 0; k < Kills; k++)
        {
            using var child = HostProcess.Start(dir.Path, "gallery", "add", "--store", gallery, "--model", model, "--folder", faces, "--accelerator", "simd");
            bool caught = false, finished = false;
            int pass = random.Next(0, Identities / 4); // writes caught and let go on first, so kills land all over the folder
            while (!child.HasExited)
            {
                Thread.Sleep(random.Next(0, 4));
                try { child.Freeze(); }
                catch (DirectoryNotFoundException) { finished = true; break; } // it enrolled everything and ended meanwhile
                if (Directory.GetFiles(identities, ".*.tmp").Length > 0 && pass-- <= 0) { caught = true; break; }
                child.Continue();
            }
            if (!finished && !child.HasExited) child.KillHard();
            var (_, output, error) = child.WaitForExit();
            if (caught) insideWrites++;
            var reported = Regex.Matches(output, @"^enrolled\s+(\S+):", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();

            using var store = FolderGalleryStore.Open(gallery, FolderGalleryStore.HashOf(model));
            Assert.That(Directory.GetFiles(identities, ".*.tmp"), Is.Empty, $"kill {k}: the dead writer's temporary is swept at open");
            var after = store.List().ToDictionary(i => i.Name, i => i.Embeddings);
            foreach (var (name, count) in after)
            {
                int grown = count - before.GetValueOrDefault(name);
                Assert.That(grown, Is.EqualTo(0).Or.EqualTo(ImagesPerIdentity), $"kill {k}: '{name}' grew by {grown} (half an enrolment?)");
            }
            foreach (string name in before.Keys)
                Assert.That(after.ContainsKey(name), Is.True, $"kill {k}: '{name}' was lost");
            foreach (string name in reported)
                Assert.That(after.GetValueOrDefault(name) - before.GetValueOrDefault(name), Is.EqualTo(ImagesPerIdentity),
                    $"kill {k}: '{name}' reported enrolled but not in the gallery; stderr: {error}");
            before = after;
        }
        TestContext.Out.WriteLine($"{Kills} kills, {insideWrites} inside an identity write; identities now {before.Count}, " +
            $"embeddings {before.Values.Sum()}");
    }
}
