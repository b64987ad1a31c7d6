using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GpuSiamese.Host.Serve;
using GpuSiamese.Model;
using GpuSiamese.Model.Backends;
using GpuSiamese.Tests.Model;
using GpuSiamese.Tests.Model.Interchange;
using Microsoft.Playwright;

namespace GpuSiamese.Tests.Host.Serve;

/// <summary>
/// The page in a real browser: Debian's chromium (never a browser Playwright downloads) driven by Playwright. One test
/// draws a "1" and a "7" stroke by stroke and presses Compare, one drops two image files; both read the verdict and
/// the distance off the page and check them against the API's answer for the very same images. Screenshots go to
/// the test's output folder (printed). Skipped, with the reason, where /usr/bin/chromium is absent.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PageBrowserTests
{
    internal const string Chromium = "/usr/bin/chromium";
    internal static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    WebServer _server = null!;
    ImageMatcher _matcher = null!;
    IPlaywright _playwright = null!;
    IBrowser _browser = null!;
    string _screenshots = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        if (!File.Exists(Chromium)) Assert.Ignore($"{Chromium} is absent: the browser tests need Debian's chromium (apt-get install chromium)");
        var checkpoint = OnnxExportTests.RandomCheckpoint(NetworkConfig.Default, seed: 7);
        _matcher = new ImageMatcher(new SimdBackend(), checkpoint, SyntheticDigits.Create(perDigit: 3, seed: 2));
        _server = await WebServer.StartAsync(_matcher, IPAddress.Loopback, 0, ServeLimits.Default, CancellationToken.None);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
        _screenshots = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(_screenshots);
        TestContext.Out.WriteLine($"screenshots: {_screenshots}");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        _matcher?.Dispose();
    }

    [Test]
    public async Task DrawingAOneAndASevenAndPressingCompareShowsTheVerdict()
    {
        var page = await NewPage();
        await Stroke(page, "#pad-a", (140, 40), (135, 240));            // "1": one stroke down
        await Stroke(page, "#pad-b", (60, 60), (210, 60));              // "7": the bar …
        await Stroke(page, "#pad-b", (210, 60), (110, 240));            // … and the stem
        await page.ClickAsync("#compare");
        await WaitForResult(page);
        await Screenshot(page, "drawn-1-and-7.png");

        byte[] a = await CanvasPng(page, "#pad-a"), b = await CanvasPng(page, "#pad-b");
        await AssertPageShowsTheApiAnswer(page, a, b);
    }

    [Test]
    public async Task DroppingTwoImageFilesComparesThem()
    {
        var page = await NewPage();
        byte[] seven = WebServerTests.SevenPng(), one = WebServerTests.OnePng();
        await Drop(page, "#panel-a", seven, "seven.png");
        await Drop(page, "#panel-b", one, "one.png");
        await page.WaitForFunctionAsync("() => document.getElementById('result').dataset.verdict !== undefined");
        await WaitForResult(page);
        await Screenshot(page, "dropped-files.png");
        await AssertPageShowsTheApiAnswer(page, seven, one);
    }

    [Test]
    public async Task CompareWithAnEmptyPadSaysWhatIsMissing()
    {
        var page = await NewPage();
        await Stroke(page, "#pad-a", (140, 40), (135, 240));
        await page.ClickAsync("#compare");
        await WaitForResult(page);
        Assert.That(await page.TextContentAsync("#error"), Is.EqualTo("draw a digit in B first"));
    }

    async Task<IPage> NewPage()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        await page.GotoAsync(_server.Address.ToString());
        await page.WaitForFunctionAsync("() => document.getElementById('threshold').textContent !== '–'");
        return page;
    }

    /// <summary>A mouse stroke from one point of the pad to another, in pad pixels (the pad is 280x280).</summary>
    internal static async Task Stroke(IPage page, string pad, (float X, float Y) from, (float X, float Y) to)
    {
        var box = (await page.Locator(pad).BoundingBoxAsync())!;
        float sx = box.Width / 280f, sy = box.Height / 280f;
        await page.Mouse.MoveAsync(box.X + from.X * sx, box.Y + from.Y * sy);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + to.X * sx, box.Y + to.Y * sy, new MouseMoveOptions { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    internal static async Task Drop(IPage page, string target, byte[] file, string name)
    {
        var transfer = await page.EvaluateHandleAsync(
            "([bytes, name]) => { const t = new DataTransfer(); t.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' })); return t; }",
            new object[] { file.Select(b => (int)b).ToArray(), name });
        await page.DispatchEventAsync(target, "drop", new Dictionary<string, object> { ["dataTransfer"] = transfer });
    }

    internal static async Task WaitForResult(IPage page) =>
        await page.WaitForFunctionAsync("() => document.getElementById('result').dataset.state === 'done'");

    internal static async Task<byte[]> CanvasPng(IPage page, string canvas)
    {
        string url = await page.EvalOnSelectorAsync<string>(canvas, "c => c.toDataURL('image/png')");
        return Convert.FromBase64String(url[(url.IndexOf(',') + 1)..]);
    }

    async Task AssertPageShowsTheApiAnswer(IPage page, byte[] a, byte[] b)
    {
        using var http = new HttpClient { BaseAddress = _server.Address };
        var reply = await http.PostAsync("/api/compare", WebServerTests.Form(("a", a), ("b", b)));
        Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var api = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;
        double distance = api.GetProperty("distance").GetDouble();
        bool same = api.GetProperty("same").GetBoolean();

        string shownDistance = (await page.TextContentAsync("#distance"))!;
        string verdict = (await page.TextContentAsync("#verdict"))!;
        TestContext.Out.WriteLine($"page: distance {shownDistance}, verdict '{verdict}'; API: {distance:F4}");
        Assert.That(shownDistance, Is.EqualTo(distance.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(verdict, Is.EqualTo(same ? "Same digit" : "Different digits"));
        Assert.That(await page.TextContentAsync("#threshold"), Is.EqualTo("0.750"));
        Assert.That(await page.TextContentAsync("#error"), Is.Empty);
        foreach (var side in new[] { "a", "b" })
        {
            Assert.That(await page.Locator($"#nearest-{side} .match").CountAsync(), Is.EqualTo(WebServer.NearestShown));
            Assert.That(await page.TextContentAsync($"#identity-{side}"), Is.EqualTo(api.GetProperty(side).GetProperty("label").GetString()));
            // The 14x14 input as the network saw it is drawn: some pixel is lit.
            bool lit = await page.EvalOnSelectorAsync<bool>($"#input-{side}",
                "c => c.getContext('2d').getImageData(0, 0, 14, 14).data.some((v, i) => i % 4 !== 3 && v > 0)");
            Assert.That(lit, Is.True, $"input {side} is drawn");
        }
    }

    async Task Screenshot(IPage page, string name)
    {
        string path = Path.Combine(_screenshots, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path);
    }
}
