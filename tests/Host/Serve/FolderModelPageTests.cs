using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using GpuSiamese.Tests.Data;

namespace GpuSiamese.Tests.Host.Serve;

/// <summary>
/// The page over a model of RGB pictures (<see cref="FolderModel"/>) in Debian's chromium: it speaks of classes and lists
/// them, previews the inputs at 10x10 in colour, picks a file on one side and draws in a chosen ink on the other, and shows
/// the API's verdict, distance and class names. The screenshot goes to the test's output folder. Skipped, with the reason,
/// where /usr/bin/chromium is absent.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FolderModelPageTests
{
    FolderModel _model = null!;
    IPlaywright _playwright = null!;
    IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        if (!File.Exists(PageBrowserTests.Chromium))
            Assert.Ignore($"{PageBrowserTests.Chromium} is absent: the browser tests need Debian's chromium (apt-get install chromium)");
        _model = await FolderModel.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = PageBrowserTests.Chromium,
            Headless = true,
            Args = PageBrowserTests.ChromiumArgs,
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_model is not null) await _model.DisposeAsync();
    }

    [Test]
    public async Task APickedPictureAndAColourDrawingAreComparedByClassName()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        await page.GotoAsync(_model.Server.Address.ToString());
        await page.WaitForFunctionAsync("() => document.getElementById('noun').textContent === 'class'");
        Assert.That(await page.TextContentAsync("#classes"), Does.Contain("bus").And.Contain("red flower"));
        Assert.That(await page.EvalOnSelectorAsync<int[]>("#input-a", "c => [c.width, c.height]"), Is.EqualTo(new[] { 10, 10 }));
        Assert.That(await page.IsVisibleAsync("#ink-b"), Is.True, "an RGB model's page has an ink colour");

        byte[] picture = ColourFolders.Png(ColourFolders.Classes[2].Hue, 240, 180, new Random(6));
        await page.SetInputFilesAsync("#file-a", new FilePayload { Name = "flower.png", MimeType = "image/png", Buffer = picture });
        await page.EvalOnSelectorAsync("#ink-b", "e => { e.value = '#e0a020'; e.dispatchEvent(new Event('input')); }");
        await PageBrowserTests.Stroke(page, "#pad-b", (50, 140), (230, 140));
        await PageBrowserTests.Stroke(page, "#pad-b", (140, 50), (140, 230));
        await page.ClickAsync("#compare");
        await page.WaitForFunctionAsync("() => document.getElementById('result').dataset.verdict !== undefined");
        await PageBrowserTests.WaitForResult(page);
        string screenshots = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        string shot = Path.Combine(screenshots, "folder-model-rgb.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        TestContext.Out.WriteLine($"screenshot: {shot}");
        TestContext.AddTestAttachment(shot);

        byte[] drawn = await PageBrowserTests.CanvasPng(page, "#pad-b");
        using var http = new HttpClient { BaseAddress = _model.Server.Address };
        var reply = await http.PostAsync("/api/compare", WebServerTests.Form(("a", picture), ("b", drawn)));
        Assert.That(reply.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var api = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;
        Assert.That(await page.TextContentAsync("#error"), Is.Empty);
        Assert.That(await page.TextContentAsync("#distance"),
            Is.EqualTo(api.GetProperty("distance").GetDouble().ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(await page.TextContentAsync("#verdict"), Is.EqualTo(api.GetProperty("same").GetBoolean() ? "Same class" : "Different classes"));
        foreach (var side in new[] { "a", "b" })
        {
            Assert.That(await page.TextContentAsync($"#identity-{side}"), Is.EqualTo(api.GetProperty(side).GetProperty("label").GetString()));
            var names = await page.Locator($"#nearest-{side} .match .name").AllTextContentsAsync();
            Assert.That(names, Is.EqualTo(api.GetProperty(side).GetProperty("nearest").EnumerateArray().Select(n => n.GetProperty("label").GetString())));
        }
        // The picked picture's preview is in colour: its red channel stands above its green and blue.
        bool reddish = await page.EvalOnSelectorAsync<bool>("#input-a",
            "c => { const d = c.getContext('2d').getImageData(0, 0, 10, 10).data; let r = 0, g = 0, b = 0;" +
            " for (let i = 0; i < d.length; i += 4) { r += d[i]; g += d[i + 1]; b += d[i + 2]; } return r > 2 * g && r > 2 * b; }");
        Assert.That(reddish, Is.True, "the RGB input is previewed in colour");
    }
}
