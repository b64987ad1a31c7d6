using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Serve;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Runs;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Model.Interchange;
using SkiaSharp;

namespace GpuSiamese.Tests.Host.Serve;

/// <summary>
/// A model of a folder of colour pictures (generated: three classes, one named with a space), 10x10 RGB, served in-process
/// with its gallery drawn from that folder as <c>serve</c> draws it: the API answers at the model's shape and by class
/// name, as <c>compare</c> does, and refuses only blank images (a model of whole images has no "no digit" rule).
/// </summary>
public sealed class FolderModel : IAsyncDisposable
{
    public static readonly Preprocessing Rgb10 = new(new ImageShape(3, 10, 10), 1, ImageFit.Stretch, InvertMode.NoInvert);
    public const int GalleryPerClass = 3;

    readonly TempFolder _folder;

    FolderModel(TempFolder folder, string pictures, string modelPath, Checkpoint checkpoint, ImageMatcher matcher, WebServer server)
    {
        _folder = folder;
        Pictures = pictures;
        ModelPath = modelPath;
        Checkpoint = checkpoint;
        Matcher = matcher;
        Server = server;
    }

    public string Pictures { get; }
    public string ModelPath { get; }
    public Checkpoint Checkpoint { get; }
    public ImageMatcher Matcher { get; }
    public WebServer Server { get; }

    public static string[] ClassNames => [.. ColourFolders.Classes.Select(c => c.Name)];

    /// <summary>The generated folder (8 pictures a class), the checkpoint naming it, its gallery, the server on a free loopback port.</summary>
    public static async Task<FolderModel> StartAsync()
    {
        var folder = new TempFolder();
        string pictures = ColourFolders.Write(folder.File("pictures"), perClass: 8);
        var shaped = OnnxExportTests.ShapedCheckpoint(Rgb10, "3x10x10,c5k3,p,f,6", seed: 8);
        var checkpoint = shaped with { Training = shaped.Training with { Dataset = pictures } };
        string modelPath = folder.File("model.ckpt");
        CheckpointFile.Save(modelPath, checkpoint);
        var gallery = IdentificationGallery.Load(checkpoint, new ImageFolder(pictures), GalleryPerClass, seed: 1, log: null);
        var matcher = new ImageMatcher(new SimdBackend(), checkpoint, gallery.Images, gallery.ClassNames);
        var server = await WebServer.StartAsync(matcher, IPAddress.Loopback, 0, ServeLimits.Default, CancellationToken.None);
        return new FolderModel(folder, pictures, modelPath, checkpoint, matcher, server);
    }

    /// <summary>The generated picture <paramref name="index"/> of class <paramref name="name"/>.</summary>
    public string Picture(string name, int index) => Path.Combine(Pictures, name, $"{index:D3}.png");

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Matcher.Dispose();
        _folder.Dispose();
    }
}

[TestFixture]
public sealed class FolderModelServeTests
{
    FolderModel _model = null!;
    HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _model = await FolderModel.StartAsync();
        _http = new HttpClient { BaseAddress = _model.Server.Address };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _model.DisposeAsync();
    }

    [Test]
    public async Task TheModelSaysItsInputShapeClassesAndRule()
    {
        var model = await WebServerTests.Json(await _http.GetAsync("/api/model"), HttpStatusCode.OK);
        var input = model.GetProperty("input");
        Assert.That((input.GetProperty("channels").GetInt32(), input.GetProperty("height").GetInt32(), input.GetProperty("width").GetInt32()),
            Is.EqualTo((3, 10, 10)));
        Assert.That(input.GetProperty("preprocessing").GetString(), Is.EqualTo(FolderModel.Rgb10.Describe()));
        Assert.That(model.GetProperty("classes").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(FolderModel.ClassNames));
        Assert.That(model.GetProperty("noun").GetString(), Is.EqualTo("class"));
        Assert.That(model.GetProperty("dataset").GetString(), Is.EqualTo(_model.Pictures));
        // 8 pictures a class, 2 of them the test split's: 6 training pictures, 3 drawn into the gallery.
        Assert.That(model.GetProperty("galleryImages").GetInt32(), Is.EqualTo(3 * FolderModel.GalleryPerClass));
        Assert.That(model.GetProperty("refuses").GetString(), Does.StartWith("blank images"));
        Assert.That(model.GetProperty("threshold").GetDouble(), Is.EqualTo(0.75));
    }

    [Test]
    public async Task CompareAnswersByClassNameAsTheCompareCommandDoes()
    {
        string a = _model.Picture("bus", 0), b = _model.Picture("red flower", 1);
        var reply = await WebServerTests.Json(await _http.PostAsync("/api/compare",
            WebServerTests.Form(("a", File.ReadAllBytes(a)), ("b", File.ReadAllBytes(b)))), HttpStatusCode.OK);
        var command = new ModelJobs().Compare(new CompareOptions(_model.ModelPath, a, b, InvertMode.Auto, null, AcceleratorChoice.Simd));
        Assert.That(command.Noun, Is.EqualTo("class"));
        double distance = reply.GetProperty("distance").GetDouble();
        Assert.That(distance, Is.EqualTo(command.Distance).Within(1e-5 + command.Distance * 1e-5));
        bool same = distance <= 0.75;
        Assert.That(reply.GetProperty("same").GetBoolean(), Is.EqualTo(same));
        Assert.That(reply.GetProperty("verdict").GetString(), Is.EqualTo(same ? "same class" : "different classes"));
        WebServerTests.AssertInput(reply.GetProperty("a").GetProperty("input"), command.InputA);
        WebServerTests.AssertInput(reply.GetProperty("b").GetProperty("input"), command.InputB);
        foreach (var side in new[] { "a", "b" })
            AssertNamed(reply.GetProperty(side));
    }

    [Test]
    public async Task IdentifyNamesTheClassOfAGalleryPicture()
    {
        // Three of each class's six training pictures are in the gallery: each of those is its own nearest, at sqrt(eps).
        int found = 0;
        for (int i = 0; i < 8; i++)
        {
            var body = new ByteArrayContent(File.ReadAllBytes(_model.Picture("red flower", i)));
            body.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var reply = await WebServerTests.Json(await _http.PostAsync("/api/identify", body), HttpStatusCode.OK);
            AssertNamed(reply);
            if (reply.GetProperty("nearest")[0].GetProperty("distance").GetDouble() > 1e-2) continue;
            found++;
            Assert.That(reply.GetProperty("label").GetString(), Is.EqualTo("red flower"), $"picture {i}");
            Assert.That(reply.GetProperty("identity").GetInt32(), Is.EqualTo(2));
        }
        Assert.That(found, Is.EqualTo(FolderModel.GalleryPerClass));
    }

    [Test]
    public async Task EmbedPreparesTheUploadAsTheModelsPictures()
    {
        byte[] picture = File.ReadAllBytes(_model.Picture("dinosaur", 4));
        var expected = _model.Matcher.Embed(FolderModel.Rgb10.ReadInput(picture, "picture", ImageFile.MaxPixels, null));
        var body = new ByteArrayContent(picture);
        body.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var reply = await WebServerTests.Json(await _http.PostAsync("/api/embed", body), HttpStatusCode.OK);
        Assert.That(reply.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()), Is.EqualTo(expected));
        Assert.That(reply.GetProperty("input").GetBytesFromBase64(), Has.Length.EqualTo(300));
    }

    [Test]
    public async Task OnlyABlankImageIsRefused()
    {
        using var flat = new SKBitmap(new SKImageInfo(60, 40, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        flat.Erase(new SKColor(90, 140, 200));
        var blank = await _http.PostAsync("/api/identify", WebServerTests.Form(("image", DrawnDigits.Encode(flat, SKEncodedImageFormat.Png))));
        string text = await blank.Content.ReadAsStringAsync();
        Assert.That(blank.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), Does.Contain("blank image: it is one flat colour"));

        // A drawing (a white stroke on black) and a picture with colour all over it, which a digit model would refuse as
        // "ink over most of the image", are compared by a model of whole images.
        var reply = await _http.PostAsync("/api/compare", WebServerTests.Form(("a", WebServerTests.OnePng()),
            ("b", ColourFolders.Png(SKColors.Teal, 200, 150, new Random(4)))));
        Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.OK), await reply.Content.ReadAsStringAsync());
    }

    /// <summary>An answer speaks of classes by name: its label, and each neighbour's, is a class name of the folder.</summary>
    static void AssertNamed(JsonElement seen)
    {
        var names = FolderModel.ClassNames;
        Assert.That(seen.GetProperty("input").GetBytesFromBase64(), Has.Length.EqualTo(300), "10x10 RGB");
        var identity = seen.GetProperty("identity");
        string label = seen.GetProperty("label").GetString()!;
        Assert.That(label, identity.ValueKind == JsonValueKind.Null ? Is.EqualTo("unknown") : Is.EqualTo(names[identity.GetInt32()]));
        var nearest = seen.GetProperty("nearest").EnumerateArray().ToArray();
        Assert.That(nearest, Has.Length.EqualTo(WebServer.NearestShown));
        foreach (var n in nearest)
        {
            int c = n.GetProperty("class").GetInt32();
            Assert.That(n.GetProperty("digit").GetInt32(), Is.EqualTo(c), "the first API's name for the class index");
            Assert.That(n.GetProperty("label").GetString(), Is.EqualTo(names[c]));
            Assert.That(n.GetProperty("image").GetBytesFromBase64(), Has.Length.EqualTo(300));
        }
        if (identity.ValueKind != JsonValueKind.Null)
            Assert.That(label, Is.EqualTo(nearest[0].GetProperty("label").GetString()));
    }
}
