using System.Net;
using System.Reflection;
using GpuSiamese.Data;
using GpuSiamese.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GpuSiamese.Host.Serve;

/// <summary>
/// The page and its JSON API over one <see cref="DigitMatcher"/>, on Kestrel. Routes: <c>GET /</c> the page (with
/// page.css and page.js, embedded in this program), <c>GET /api/model</c>, and <c>POST /api/compare</c> (form fields a
/// and b), <c>/api/embed</c> and <c>/api/identify</c> (form field image, or a body of type image/*). Every refusal is a
/// 4xx with <c>{"error": "one line"}</c>; the server goes on serving.
/// </summary>
public sealed class WebServer : IAsyncDisposable
{
    /// <summary>Gallery images listed per identification.</summary>
    public const int NearestShown = 3;

    readonly WebApplication _app;

    WebServer(WebApplication app) => _app = app;

    /// <summary>Starts listening on <paramref name="address"/>:<paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<WebServer> StartAsync(DigitMatcher matcher, IPAddress address, int port, ServeLimits limits,
        CancellationToken cancel)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.Configure<FormOptions>(form =>
        {
            form.MultipartBodyLengthLimit = limits.MaxBodyBytes;
            form.ValueCountLimit = 16;
            form.MultipartHeadersLengthLimit = 8 * 1024;
        });
        var app = builder.Build();
        app.Use(Refusals);
        Map(app, matcher, limits);
        await app.StartAsync(cancel);
        return new WebServer(app);
    }

    /// <summary>The address actually bound, e.g. http://127.0.0.1:5000.</summary>
    public Uri Address =>
        new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary>Cancelled when the server is asked to stop (SIGTERM, or Ctrl+C through the host's lifetime).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    static void Map(WebApplication app, DigitMatcher matcher, ServeLimits limits)
    {
        // Each gallery image as a reply shows it, once: a reply then only points at these.
        var galleryImages = Enumerable.Range(0, matcher.Gallery.Count).Select(i => GreyBytes(matcher.Gallery.Image(i))).ToArray();
        app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        app.MapGet("/page.css", () => Asset("page.css", "text/css; charset=utf-8"));
        app.MapGet("/page.js", () => Asset("page.js", "text/javascript; charset=utf-8"));
        app.MapGet("/api/model", () => Results.Json(new ModelInfo(matcher.Checkpoint.Network.ToString(),
            Finite(matcher.Threshold), matcher.Checkpoint.Training.DistanceEpsilon, matcher.EmbeddingWidth,
            matcher.Gallery.Count, matcher.Backend.Name, limits.MaxImageBytes, limits.MaxImagePixels)));
        app.MapPost("/api/compare", async (HttpRequest request) =>
        {
            var images = await ImageRequests.FromForm(request, limits, "a", "b");
            var c = matcher.Compare(images[0], images[1], NearestShown);
            return Results.Json(new CompareReply(c.Distance, Finite(matcher.Threshold), c.Same,
                c.Same ? "same digit" : "different digits", Seen(images[0], c.A, galleryImages), Seen(images[1], c.B, galleryImages)));
        });
        app.MapPost("/api/embed", async (HttpRequest request) =>
        {
            var image = await ImageRequests.One(request, limits, "image");
            return Results.Json(new EmbedReply(matcher.Embed(image), GreyBytes(image)));
        });
        app.MapPost("/api/identify", async (HttpRequest request) =>
        {
            var image = await ImageRequests.One(request, limits, "image");
            return Results.Json(Seen(image, matcher.Identify(image, NearestShown), galleryImages));
        });
        app.MapFallback((HttpContext context) => Results.Json(
            new ErrorReply($"no such page or method: {context.Request.Method} {context.Request.Path}"), statusCode: StatusCodes.Status404NotFound));
    }

    /// <summary>Refusals and client faults to a 4xx with one line; anything else to a 500 with one line, the server alive.</summary>
    static async Task Refusals(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (RequestRefusedException e)
        {
            await Refuse(context, e.StatusCode, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own refusals: a body over MaxRequestBodySize (413), a cut-off or malformed body (400).
            await Refuse(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"the request body is larger than the {context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize:N0} bytes accepted"
                : $"bad request: {e.Message}");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-upload: nobody is left to answer.
        }
        catch (Exception e)
        {
            // A fault of the program: that request fails, the server goes on.
            await Refuse(context, StatusCodes.Status500InternalServerError, $"internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }

    static async Task Refuse(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.StatusCode = status;
        // A refused body may not have been read: ask the client to reconnect rather than reuse the connection.
        if (status is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status400BadRequest)
            context.Response.Headers.Connection = "close";
        await context.Response.WriteAsJsonAsync(new ErrorReply(message));
    }

    static IResult Asset(string name, string contentType)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream($"GpuSiamese.Host.Serve.Page.{name}")
            ?? throw new InvalidOperationException($"the page asset {name} is not embedded in {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Results.Text(reader.ReadToEnd(), contentType);
    }

    static SeenImage Seen(float[] image, IdentityAnswer answer, byte[][] galleryImages) =>
        new(GreyBytes(image), answer.Digit, answer.Digit is { } d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown",
            answer.Nearest.Select(m => new Neighbour(m.Digit, m.Distance, galleryImages[m.GalleryIndex])).ToArray());

    /// <summary>
    /// A 14x14 input as 196 grey levels 0..255 (0 = background), which JSON carries as base64: 264 characters, where
    /// the values as numbers took about 1,000 and most of a reply's serialisation time.
    /// </summary>
    static byte[] GreyBytes(ReadOnlySpan<float> image)
    {
        var bytes = new byte[image.Length];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)Math.Clamp(MathF.Round(image[i] * 255f), 0f, 255f);
        return bytes;
    }

    /// <summary>JSON has no infinity: a model without a threshold says null.</summary>
    static double? Finite(double value) => double.IsFinite(value) ? value : null;

    sealed record ModelInfo(string Network, double? Threshold, double Epsilon, int EmbeddingWidth, int GalleryImages,
        string Accelerator, long MaxImageBytes, long MaxImagePixels);

    /// <summary>A gallery image near an input: its digit, its distance, and the image (<see cref="GreyBytes"/>).</summary>
    sealed record Neighbour(int Digit, double Distance, byte[] Image);

    /// <summary>An input as the network saw it (<see cref="GreyBytes"/>: 14x14 row-major), its identity, its nearest gallery images.</summary>
    sealed record SeenImage(byte[] Input, int? Identity, string Label, Neighbour[] Nearest);

    sealed record CompareReply(double Distance, double? Threshold, bool Same, string Verdict, SeenImage A, SeenImage B);

    sealed record EmbedReply(float[] Embedding, byte[] Input);

    sealed record ErrorReply(string Error);
}
