using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GpuSiamese.Data;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Serve;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Tests.Data;
using GpuSiamese.Tests.Model;
using GpuSiamese.Tests.Model.Interchange;
using SkiaSharp;

namespace GpuSiamese.Tests.Host.Serve;

/// <summary>
/// The server in-process on a free loopback port, over a seeded random model and a small synthetic gallery: the page
/// and its assets, the API's answers (the same preprocessing and distance as <c>compare</c>), and bad requests, each
/// answered with a 4xx and one line while the server goes on serving.
/// </summary>
[TestFixture]
public sealed class WebServerTests
{
    WebServer _server = null!;
    ImageMatcher _matcher = null!;
    HttpClient _http = null!;
    TempFolder _folder = null!;
    string _modelPath = null!;

    internal static byte[] SevenPng(float size = 180, SKColor? ink = null, SKColor? paper = null)
    {
        using var bitmap = DrawnDigits.Seven(280, 280, 50, 50, size, ink ?? SKColors.Black, paper ?? SKColors.White);
        return DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    internal static byte[] OnePng()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(280, 280, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 22, StrokeCap = SKStrokeCap.Round };
        canvas.DrawLine(150, 40, 130, 240, paint);
        return DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    static byte[] BlankPng()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(200, 200, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.White);
        return DrawnDigits.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        _folder = new TempFolder();
        var checkpoint = OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 7);
        _modelPath = _folder.File("model.ckpt");
        CheckpointFile.Save(_modelPath, checkpoint);
        _matcher = new ImageMatcher(new SimdBackend(), checkpoint, SyntheticDigits.Create(perDigit: 3, seed: 2));
        _server = await WebServer.StartAsync(_matcher, IPAddress.Loopback, 0, ServeLimits.Default, CancellationToken.None);
        _http = new HttpClient { BaseAddress = _server.Address };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _matcher.Dispose();
        _folder.Dispose();
    }

    [Test]
    public async Task ListensOnLoopbackOnly()
    {
        Assert.That(IPAddress.IsLoopback(IPAddress.Parse(_server.Address.Host)), Is.True, _server.Address.ToString());
        var model = await Json(await _http.GetAsync("/api/model"), HttpStatusCode.OK);
        Assert.That(model.GetProperty("threshold").GetDouble(), Is.EqualTo(0.75));
        Assert.That(model.GetProperty("galleryImages").GetInt32(), Is.EqualTo(30));
    }

    [TestCase("/", "text/html", "id=\"pad-a\"")]
    [TestCase("/page.css", "text/css", ".pad")]
    [TestCase("/page.js", "text/javascript", "/api/compare")]
    public async Task ServesThePageFromTheProgram(string path, string type, string content)
    {
        var reply = await _http.GetAsync(path);
        Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(reply.Content.Headers.ContentType!.MediaType, Is.EqualTo(type));
        string text = await reply.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain(content));
        Assert.That(text, Does.Not.Contain("http://").And.Not.Contain("https://"), "nothing is loaded from elsewhere");
    }

    [Test]
    public async Task CompareGivesWhatTheCompareCommandGives()
    {
        byte[] seven = SevenPng(), one = OnePng();
        var reply = await Json(await _http.PostAsync("/api/compare", Form(("a", seven), ("b", one))), HttpStatusCode.OK);

        string a = _folder.File("seven.png"), b = _folder.File("one.png");
        File.WriteAllBytes(a, seven);
        File.WriteAllBytes(b, one);
        var command = new ModelJobs().Compare(new CompareOptions(_modelPath, a, b, InvertMode.Auto, null, AcceleratorChoice.Simd));
        double distance = reply.GetProperty("distance").GetDouble();
        Assert.That(distance, Is.EqualTo(command.Distance).Within(1e-5 + command.Distance * 1e-5));
        Assert.That(reply.GetProperty("same").GetBoolean(), Is.EqualTo(distance <= 0.75));
        Assert.That(reply.GetProperty("verdict").GetString(), Is.EqualTo(distance <= 0.75 ? "same digit" : "different digits"));
        AssertInput(reply.GetProperty("a").GetProperty("input"), command.InputA);
        AssertInput(reply.GetProperty("b").GetProperty("input"), command.InputB);
        foreach (var side in new[] { "a", "b" })
        {
            var nearest = reply.GetProperty(side).GetProperty("nearest").EnumerateArray().ToArray();
            Assert.That(nearest, Has.Length.EqualTo(WebServer.NearestShown));
            var distances = nearest.Select(n => n.GetProperty("distance").GetDouble()).ToArray();
            Assert.That(distances, Is.Ordered.Ascending);
            var image = nearest[0].GetProperty("image").GetBytesFromBase64();
            Assert.That(image, Has.Length.EqualTo(ImageSet.Size));
            bool fromGallery = Enumerable.Range(0, _matcher.Gallery.Count).Any(g => _matcher.Gallery.Labels[g] == nearest[0].GetProperty("digit").GetInt32()
                && _matcher.Gallery.Image(g).ToArray().Select(v => (byte)MathF.Round(v * 255f)).SequenceEqual(image));
            Assert.That(fromGallery, Is.True, "the nearest image is a gallery image of its digit");
            var identity = reply.GetProperty(side).GetProperty("identity");
            string label = reply.GetProperty(side).GetProperty("label").GetString()!;
            if (distances[0] <= 0.75)
                Assert.That(label, Is.EqualTo(nearest[0].GetProperty("digit").GetInt32().ToString()).And.EqualTo(identity.GetInt32().ToString()));
            else
                Assert.That((label, identity.ValueKind), Is.EqualTo(("unknown", JsonValueKind.Null)));
        }
    }

    [Test]
    public async Task EmbedTakesARawImageOrAFormField()
    {
        byte[] seven = SevenPng();
        var expected = _matcher.Embed(DigitImage.Read(seven, "seven").Image14);
        var raw = new ByteArrayContent(seven);
        raw.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        foreach (var content in new HttpContent[] { raw, Form(("image", seven)) })
        {
            var reply = await Json(await _http.PostAsync("/api/embed", content), HttpStatusCode.OK);
            var embedding = reply.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.That(embedding, Is.EqualTo(expected));
        }
    }

    [Test]
    public async Task IdentifyAnswersWithTheNearestGalleryDigits()
    {
        // A gallery image itself, drawn large: its own digit is among the nearest.
        var reply = await Json(await _http.PostAsync("/api/identify", Form(("image", SevenPng()))), HttpStatusCode.OK);
        Assert.That(reply.GetProperty("nearest").GetArrayLength(), Is.EqualTo(WebServer.NearestShown));
        Assert.That(reply.GetProperty("input").GetBytesFromBase64(), Has.Length.EqualTo(ImageSet.Size));
    }

    public static IEnumerable<TestCaseData> BadRequests()
    {
        HttpContent Raw(byte[] bytes, string type)
        {
            var c = new ByteArrayContent(bytes);
            c.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            return c;
        }
        byte[] seven = SevenPng();
        yield return new TestCaseData("/api/compare", (Func<HttpContent>)(() => new StringContent("hello", Encoding.UTF8, "text/plain")), 415, "multipart/form-data").SetName("compare: text body");
        yield return new TestCaseData("/api/embed", (Func<HttpContent>)(() => new StringContent("{}", Encoding.UTF8, "application/json")), 415, "image/png").SetName("embed: JSON body");
        yield return new TestCaseData("/api/embed", (Func<HttpContent>)(() => Raw("not an image at all"u8.ToArray(), "image/png")), 422, "not an image").SetName("embed: text labelled image/png");
        yield return new TestCaseData("/api/embed", (Func<HttpContent>)(() => Raw([], "image/png")), 422, "empty").SetName("embed: empty body");
        yield return new TestCaseData("/api/identify", (Func<HttpContent>)(() => Raw(BlankPng(), "image/png")), 422, "no digit").SetName("identify: blank image");
        yield return new TestCaseData("/api/compare", (Func<HttpContent>)(() => Form(("a", seven), ("b", BlankPng()))), 422, "image 'b': no digit").SetName("compare: empty drawing");
        yield return new TestCaseData("/api/compare", (Func<HttpContent>)(() => Form(("a", seven))), 400, "'b'").SetName("compare: missing field");
        yield return new TestCaseData("/api/compare", (Func<HttpContent>)(() => Form(("a", seven), ("b", seven[..(seven.Length / 2)]))), 422, "truncated").SetName("compare: truncated image");
        yield return new TestCaseData("/api/embed", (Func<HttpContent>)(() => Raw(DrawnDigits.PngHeaderOnly(5000, 5000), "image/png")), 422, "megapixels").SetName("embed: 25 megapixels");
        yield return new TestCaseData("/api/embed", (Func<HttpContent>)(() => Raw(new byte[3 << 20], "image/png")), 413, "bytes").SetName("embed: 3 MiB image");
        yield return new TestCaseData("/api/compare", (Func<HttpContent>)(() => Form(("a", new byte[5 << 20]), ("b", seven))), 413, "bytes").SetName("compare: 5 MiB body");
        yield return new TestCaseData("/api/compare", (Func<HttpContent>)(() => Raw("--xyz\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a.png\"\r\n\r\nabc"u8.ToArray(), "multipart/form-data; boundary=xyz")), 400, "malformed multipart").SetName("compare: cut-off multipart");
        yield return new TestCaseData("/api/nothing", (Func<HttpContent>)(() => Form(("a", seven))), 404, "no such page").SetName("unknown route");
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task ABadRequestIsA4xxWithOneLineAndTheServerGoesOn(string path, Func<HttpContent> content, int status, string reason)
    {
        HttpResponseMessage reply;
        // A fresh client: the server may close a connection whose body it refused. Expect: 100-continue (as curl
        // sends for large bodies) lets a refusal arrive before a body that would be refused is sent.
        using (var client = new HttpClient { BaseAddress = _server.Address })
        {
            client.DefaultRequestHeaders.ExpectContinue = true;
            reply = await client.PostAsync(path, content());
        }
        var body = await Json(reply, (HttpStatusCode)status);
        string error = body.GetProperty("error").GetString()!;
        Assert.That(error, Does.Contain(reason));
        Assert.That(error, Does.Not.Contain("\n"));
        await AssertStillServing();
    }

    [Test]
    public async Task AnUploadCutOffMidBodyLeavesTheServerServing()
    {
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(_server.Address.Host, _server.Address.Port);
            var stream = socket.GetStream();
            byte[] head = Encoding.ASCII.GetBytes(
                $"POST /api/embed HTTP/1.1\r\nHost: {_server.Address.Authority}\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(SevenPng().AsMemory(0, 300));
            await stream.FlushAsync();
        }
        await AssertStillServing();
    }

    [Test]
    public async Task ManyClientsAtOnceGetTheSameAnswer()
    {
        byte[] seven = SevenPng(), one = OnePng();
        var replies = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
            await Json(await _http.PostAsync("/api/compare", Form(("a", seven), ("b", one))), HttpStatusCode.OK)));
        var distances = replies.Select(r => r.GetProperty("distance").GetDouble()).Distinct().ToArray();
        Assert.That(distances, Has.Length.EqualTo(1));
    }

    async Task AssertStillServing()
    {
        using var client = new HttpClient { BaseAddress = _server.Address };
        var reply = await client.PostAsync("/api/compare", Form(("a", SevenPng()), ("b", OnePng())));
        Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the server answers the next request");
    }

    internal static MultipartFormDataContent Form(params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, name, name + ".png");
        }
        return form;
    }

    internal static async Task<JsonElement> Json(HttpResponseMessage reply, HttpStatusCode expected)
    {
        string text = await reply.Content.ReadAsStringAsync();
        Assert.That(reply.StatusCode, Is.EqualTo(expected), text);
        Assert.That(reply.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The reply's input: the model's input values (MNIST: 196 grey levels) 0..255 in base64, each the network's input value times 255, rounded.</summary>
    internal static void AssertInput(JsonElement input, float[] expected)
    {
        var actual = input.GetBytesFromBase64();
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < actual.Length; i++)
            Assert.That(actual[i], Is.EqualTo((byte)MathF.Round(expected[i] * 255f)), $"pixel {i}");
    }
}
