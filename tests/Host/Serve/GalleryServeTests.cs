using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GpuSiamese.Host.Serve;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Model.Gallery;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Model;
using GpuSiamese.Tests.Model.Interchange;

namespace GpuSiamese.Tests.Host.Serve;

/// <summary>serve --gallery-store in-process: reads open, writes behind the bearer key, and sixteen enrolling clients at once.</summary>
[TestFixture]
public sealed class GalleryServeTests
{
    const string Key = "s3cret-key";
    WebServer _server = null!;
    ImageMatcher _matcher = null!;
    FolderGalleryStore _store = null!;
    HttpClient _http = null!;
    TempFolder _folder = null!;
    string _gallery = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _folder = new TempFolder();
        var checkpoint = OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 7) with { Threshold = 0.05 };
        string model = _folder.File("model.ckpt");
        CheckpointFile.Save(model, checkpoint);
        _gallery = _folder.File("gallery");
        _store = FolderGalleryStore.Create(_gallery, GalleryService.ModelOf(checkpoint, FolderGalleryStore.HashOf(model)));
        _matcher = new ImageMatcher(new SimdBackend(), checkpoint, SyntheticDigits.Create(perDigit: 1, seed: 2));
        _server = await WebServer.StartAsync(_matcher, IPAddress.Loopback, 0, ServeLimits.Default, CancellationToken.None,
            new GalleryEndpoints(new GalleryService(_matcher, _store), Key));
        _http = new HttpClient { BaseAddress = _server.Address };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _matcher.Dispose();
        _store.Dispose();
        _folder.Dispose();
    }

    static MultipartFormDataContent Form(string? name, byte[] png)
    {
        var form = new MultipartFormDataContent();
        if (name is not null) form.Add(new StringContent(name), "name");
        var image = new ByteArrayContent(png);
        image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(image, "image", "drawing.png");
        return form;
    }

    static HttpRequestMessage Enrol(string name, byte[] png, string? key) => new(HttpMethod.Post, "/api/gallery/enrol")
    {
        Content = Form(name, png),
        Headers = { Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key) },
    };

    static async Task<JsonElement> Json(HttpResponseMessage reply) => JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;

    [Test, Order(1)]
    public async Task Writes_need_the_key_reads_do_not()
    {
        var seven = WebServerTests.SevenPng();
        using var none = await _http.SendAsync(Enrol("seven", seven, null));
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(none.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        Assert.That((await Json(none)).GetProperty("error").GetString(), Does.Contain("API key"));
        using var wrong = await _http.SendAsync(Enrol("seven", seven, Key + "x"));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using var right = await _http.SendAsync(Enrol("seven", seven, Key));
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK), await right.Content.ReadAsStringAsync());
        Assert.That((await Json(right)).GetProperty("embeddings").GetInt32(), Is.EqualTo(1));

        using var list = await _http.GetAsync("/api/gallery");
        var listed = await Json(list);
        Assert.That(listed.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("name").GetString()), Does.Contain("seven"));
        Assert.That(listed.GetProperty("threshold").GetDouble(), Is.EqualTo(0.05));

        using var identify = await _http.PostAsync("/api/gallery/identify?top=3", Form(null, seven));
        var answer = await Json(identify);
        Assert.That(answer.GetProperty("identity").GetString(), Is.EqualTo("seven"), "the same drawing is at distance ~0");
        using var verify = await _http.PostAsync("/api/gallery/verify", Form("seven", seven));
        Assert.That((await Json(verify)).GetProperty("match").GetBoolean(), Is.True);
        using var missing = await _http.PostAsync("/api/gallery/verify", Form("nobody", seven));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var badTop = await _http.PostAsync("/api/gallery/identify?top=0", Form(null, seven));
        Assert.That(badTop.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var noName = await _http.SendAsync(Enrol(" ", seven, Key));
        Assert.That(noName.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        using var deleteWithout = await _http.DeleteAsync("/api/gallery/identities/seven");
        Assert.That(deleteWithout.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/gallery/identities/seven") { Headers = { Authorization = new("Bearer", Key) } };
        using (var deleted = await _http.SendAsync(delete)) Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var again = new HttpRequestMessage(HttpMethod.Delete, "/api/gallery/identities/seven") { Headers = { Authorization = new("Bearer", Key) } };
        using (var gone = await _http.SendAsync(again)) Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test, Order(2)]
    public async Task Sixteen_concurrent_enrolling_clients_lose_nothing()
    {
        const int Clients = 16, Each = 4;
        var images = new[] { WebServerTests.SevenPng(), WebServerTests.OnePng(), WebServerTests.SevenPng(120), WebServerTests.SevenPng(220) };
        int before = _store.Count;
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = _server.Address };
            for (int i = 0; i < Each; i++)
            {
                // Half the enrolments go to one shared identity, so writers meet on the same file.
                using var reply = await http.SendAsync(Enrol(i % 2 == 0 ? "shared" : $"client-{c}", images[(c + i) % images.Length], Key));
                Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.OK), await reply.Content.ReadAsStringAsync());
            }
        })).ToArray();
        await Task.WhenAll(clients);
        Assert.That(_store.Count - before, Is.EqualTo(Clients * Each));
        using var fromDisk = FolderGalleryStore.Open(_gallery);
        var counts = fromDisk.List().ToDictionary(i => i.Name, i => i.Embeddings);
        Assert.That(counts["shared"], Is.EqualTo(Clients * Each / 2));
        Assert.That(Enumerable.Range(0, Clients).All(c => counts[$"client-{c}"] == Each / 2), Is.True);
    }

    [Test]
    public async Task Without_a_key_the_gallery_is_read_only()
    {
        await using var readOnly = await WebServer.StartAsync(_matcher, IPAddress.Loopback, 0, ServeLimits.Default, CancellationToken.None,
            new GalleryEndpoints(new GalleryService(_matcher, _store), null));
        using var http = new HttpClient { BaseAddress = readOnly.Address };
        using var reply = await http.SendAsync(Enrol("x", WebServerTests.SevenPng(), "anything"));
        Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var list = await http.GetAsync("/api/gallery");
        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void A_non_loopback_host_with_a_gallery_store_needs_a_key()
    {
        string model = _folder.File("model.ckpt");
        var run = HostRun.Of(null, "serve", "--model", model, "--host", "0.0.0.0", "--gallery-store", _gallery, "--gallery-per-digit", "0");
        Assert.That(run.ExitCode, Is.Not.EqualTo(0));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.Error, Does.Contain("API key").And.Contain("--host 0.0.0.0"));
    }
}
