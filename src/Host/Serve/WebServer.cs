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
/// The page and its JSON API over one <see cref="ImageMatcher"/>, on Kestrel. Routes: <c>GET /</c> the page (with
/// page.css and page.js, embedded in this program), <c>GET /api/model</c> (the network, the input shape and
/// preprocessing, the class names), and <c>POST /api/compare</c> (form fields a and b), <c>/api/embed</c> and
/// <c>/api/identify</c> (form field image, or a body of type image/*). Images in replies are the model's input as bytes
/// (<see cref="PixelBytes"/>); classes are answered by name. Every refusal is a 4xx with <c>{"error": "one line"}</c>;
/// the server goes on serving.
/// </summary>
public sealed class WebServer : IAsyncDisposable
{
    /// <summary>Gallery images listed per identification.</summary>
    public const int NearestShown = 3;

    readonly WebApplication _app;

    WebServer(WebApplication app) => _app = app;

    /// <summary>Starts listening on <paramref name="address"/>:<paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<WebServer> StartAsync(ImageMatcher matcher, IPAddress address, int port, ServeLimits limits,
        CancellationToken cancel, GalleryEndpoints? gallery = null)
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
        gallery?.Map(app, limits);
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

    static void Map(WebApplication app, ImageMatcher matcher, ServeLimits limits)
    {
        // Each gallery image as a reply shows it, once: a reply then only points at these.
        var galleryImages = Enumerable.Range(0, matcher.Gallery.Count).Select(i => PixelBytes(matcher.Gallery.ImageAt(i))).ToArray();
        var checkpoint = matcher.Checkpoint;
        var preprocessing = checkpoint.Preprocessing;
        var input = matcher.InputShape;
        string noun = checkpoint.ClassNoun;
        var names = new Names(matcher.ClassNames);
        var model = new ModelInfo(checkpoint.Network.ToString(), Finite(matcher.Threshold), checkpoint.Training.DistanceEpsilon,
            matcher.EmbeddingWidth, matcher.Gallery.Count, matcher.Backend.Name, limits.MaxImageBytes, limits.MaxImagePixels,
            checkpoint.Training.Dataset, noun, new InputInfo(input.Channels, input.Height, input.Width, preprocessing.Describe()),
            [.. matcher.ClassNames], preprocessing.Fit == ImageFit.Digit ? DigitRefusals : WholeImageRefusals);
        app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        app.MapGet("/page.css", () => Asset("page.css", "text/css; charset=utf-8"));
        app.MapGet("/page.js", () => Asset("page.js", "text/javascript; charset=utf-8"));
        app.MapGet("/api/model", () => Results.Json(model));
        app.MapPost("/api/compare", async (HttpRequest request) =>
        {
            var images = await ImageRequests.FromForm(request, limits, preprocessing, "a", "b");
            var c = matcher.Compare(images[0], images[1], NearestShown);
            return Results.Json(new CompareReply(c.Distance, Finite(matcher.Threshold), c.Same,
                c.Same ? $"same {noun}" : noun == "class" ? "different classes" : $"different {noun}s",
                Seen(images[0], c.A, galleryImages, names), Seen(images[1], c.B, galleryImages, names)));
        });
        app.MapPost("/api/embed", async (HttpRequest request) =>
        {
            var image = await ImageRequests.One(request, limits, preprocessing, "image");
            return Results.Json(new EmbedReply(matcher.Embed(image), PixelBytes(image)));
        });
        app.MapPost("/api/identify", async (HttpRequest request) =>
        {
            var image = await ImageRequests.One(request, limits, preprocessing, "image");
            return Results.Json(Seen(image, matcher.Identify(image, NearestShown), galleryImages, names));
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
        // The gallery's writes without the API key (GalleryEndpoints): the scheme the client must use.
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
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

    /// <summary>What a digit model refuses (the hardening issue's "no digit" rule) and what a model of whole images refuses.</summary>
    static readonly string DigitRefusals = string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"images with no digit: one flat colour, too little contrast, no ink, ink over more than {DigitImage.MaxInkFraction:P0} of the image, smaller than {DigitImage.MinSide}x{DigitImage.MinSide}");
    static readonly string WholeImageRefusals = string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"blank images: one flat colour, or every pixel within {DigitImage.MinContrast:P0} of full scale of the others");

    static SeenImage Seen(float[] image, IdentityAnswer answer, byte[][] galleryImages, Names names) =>
        new(PixelBytes(image), answer.Label, answer.Label is { } l ? names[l] : "unknown",
            answer.Nearest.Select(m => new Neighbour(m.Digit, m.Digit, names[m.Digit], m.Distance, galleryImages[m.GalleryIndex])).ToArray());

    /// <summary>Class names by label, with the label's number for a label the names do not cover.</summary>
    sealed class Names(IReadOnlyList<string> names)
    {
        public string this[int label] => (uint)label < (uint)names.Count ? names[label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// An input (channels last: row by row, each pixel's channels together, R G B for colour) as levels 0..255, which JSON
    /// carries as base64: MNIST's 14x14 is 264 characters, where the values as numbers took about 1,000 and most of a
    /// reply's serialisation time.
    /// </summary>
    static byte[] PixelBytes(ReadOnlySpan<float> image)
    {
        var bytes = new byte[image.Length];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)Math.Clamp(MathF.Round(image[i] * 255f), 0f, 255f);
        return bytes;
    }

    /// <summary>JSON has no infinity: a model without a threshold says null.</summary>
    static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>
    /// /api/model: the first eight fields as the first API had them; then the dataset, what a class is called ("digit" or
    /// "class"), the input shape and preprocessing, the class names by label, and which images are refused as empty.
    /// </summary>
    sealed record ModelInfo(string Network, double? Threshold, double Epsilon, int EmbeddingWidth, int GalleryImages,
        string Accelerator, long MaxImageBytes, long MaxImagePixels, string Dataset, string Noun, InputInfo Input,
        string[] Classes, string Refuses);

    /// <summary>The input's shape (channels 1 grey or 3 RGB) and the preprocessing, in words.</summary>
    sealed record InputInfo(int Channels, int Height, int Width, string Preprocessing);

    /// <summary>
    /// A gallery image near an input: its class index (<c>Class</c>, and under <c>Digit</c> as the first API named it), the
    /// class's name, its distance, and the image (<see cref="PixelBytes"/>).
    /// </summary>
    sealed record Neighbour(int Digit, int Class, string Label, double Distance, byte[] Image);

    /// <summary>
    /// An input as the network saw it (<see cref="PixelBytes"/>), its identity (a class index, null for unknown) and that
    /// class's name (or "unknown"), its nearest gallery images.
    /// </summary>
    sealed record SeenImage(byte[] Input, int? Identity, string Label, Neighbour[] Nearest);

    sealed record CompareReply(double Distance, double? Threshold, bool Same, string Verdict, SeenImage A, SeenImage B);

    sealed record EmbedReply(float[] Embedding, byte[] Input);

    sealed record ErrorReply(string Error);
}
