using GpuSiamese.Model.Runs;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Plots;
using SkiaSharp;

namespace GpuSiamese.Tests.Host.Plots;

public class ErrorGalleryTests
{
    [Test]
    public void The_worst_errors_are_chosen_at_the_threshold()
    {
        var scores = new PairScores(FakeModelJobs.Distances, FakeModelJobs.Labels, FakeModelJobs.Images);
        var (accepts, rejects) = ErrorExamples.Worst(scores, 1.0, 8);
        Assert.That(accepts.Select(e => e.Distance), Is.EqualTo(new[] { 0.7f }));
        Assert.That(rejects.Select(e => e.Distance), Is.EqualTo(new[] { 1.6f }));
        Assert.That(accepts[0].Left, Is.EqualTo(FakeModelJobs.Images(3).Left));

        var (fewer, _) = ErrorExamples.Worst(scores, 10.0, 2);
        Assert.That(fewer.Select(e => e.Distance), Is.EqualTo(new[] { 0.7f, 2.5f }), "smallest distance first, at most count");
        var (_, worst) = ErrorExamples.Worst(scores, 0.0, 2);
        Assert.That(worst.Select(e => e.Distance), Is.EqualTo(new[] { 1.6f, 0.5f }), "largest distance first");
        Assert.That(ErrorExamples.Worst(scores with { Images = null }, 1.0, 8).FalseAccepts, Is.Empty);
    }

    [Test]
    public void Draws_the_pairs_enlarged()
    {
        var accepts = Enumerable.Range(0, 5).Select(i => new ErrorExample(FakeModelJobs.Images(i).Left, FakeModelJobs.Images(i).Right, 0.3 + 0.1 * i)).ToList();
        var rejects = Enumerable.Range(5, 3).Select(i => new ErrorExample(FakeModelJobs.Images(i).Left, FakeModelJobs.Images(i).Right, 3 - 0.2 * i)).ToList();
        using var dir = new TempFolder();
        string png = PlotSamples.PathFor(dir, "errors.png");
        ErrorGallery.Save(png, accepts, rejects, 1.25);
        PngAssert.IsImage(png, ErrorGallery.Width, ErrorGallery.Height(5));

        // First false accept, left image: pair 0's vertical bar at column 3 is white, column 0 black.
        using var bitmap = SKBitmap.Decode(png);
        int x0 = 8 + 8, y0 = 74;
        Assert.That(bitmap.GetPixel(x0 + 3 * 6 + 3, y0 + 5 * 6 + 3), Is.EqualTo(SKColors.White));
        Assert.That(bitmap.GetPixel(x0 + 0 * 6 + 3, y0 + 5 * 6 + 3), Is.EqualTo(SKColors.Black));
    }

    [Test]
    public void No_errors_still_draws_a_readable_image()
    {
        using var dir = new TempFolder();
        ErrorGallery.Save(dir.File("e.png"), [], [], 1);
        PngAssert.IsImage(dir.File("e.png"), ErrorGallery.Width, ErrorGallery.Height(0));
    }
}
