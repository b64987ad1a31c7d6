using System.Security.Cryptography;
using System.Text;
using GpuSiamese.Data;
using GpuSiamese.Model.Gallery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GpuSiamese.Host.Serve;

/// <summary>
/// serve --gallery-store: the gallery's operations over HTTP, JSON. Reads: <c>GET /api/gallery</c> (model, threshold and
/// identities), <c>POST /api/gallery/identify</c> (image; <c>?top=K</c>), <c>POST /api/gallery/verify</c> (form fields
/// name and image). Writes need <c>Authorization: Bearer KEY</c> (401 otherwise, the key compared in constant time):
/// <c>POST /api/gallery/enrol</c> (form field name and one image field <c>image</c>) and <c>DELETE /api/gallery/identities/{name}</c>.
/// Without a key the writes are refused (403) and the gallery is read-only.
/// </summary>
public sealed class GalleryEndpoints(GalleryService service, string? apiKey)
{
    /// <summary>Environment variable holding the API key when --api-key is not given.</summary>
    public const string ApiKeyVariable = "GPUSIAMESE_API_KEY";
    const int MaxTop = 100;

    readonly byte[]? _keyHash = apiKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public void Map(WebApplication app, ServeLimits limits)
    {
        var preprocessing = service.Checkpoint.Preprocessing;
        var store = service.Store;
        app.MapGet("/api/gallery", () => Results.Json(new GalleryReply(store.Model.CheckpointSha256, Finite(store.Model.Threshold),
            store.Model.ThresholdRule, store.Model.ThresholdSplit, store.Model.ThresholdFar, store.Model.EmbeddingWidth, apiKey is not null,
            [.. store.List().Select(i => new IdentityReply(i.Name, i.Embeddings, i.FirstAddedUtc, i.LastAddedUtc))])));
        app.MapPost("/api/gallery/identify", async (HttpRequest request) =>
        {
            var image = await ImageRequests.One(request, limits, preprocessing, "image");
            var answer = service.Identify(image, Top(request));
            return Results.Json(new IdentifyReply(answer.Identity, answer.Identity is null ? "unknown" : answer.Identity, Finite(store.Model.Threshold),
                [.. answer.Nearest.Select(h => new HitReply(h.Name, h.Distance, h.Match))]));
        });
        app.MapPost("/api/gallery/verify", async (HttpRequest request) =>
        {
            var image = (await ImageRequests.FromForm(request, limits, preprocessing, "image"))[0];
            string name = FormName(request);
            var hit = service.Verify(image, name)
                ?? throw new RequestRefusedException(StatusCodes.Status404NotFound, $"the gallery has no identity '{name}'");
            return Results.Json(new HitReply(hit.Name, hit.Distance, hit.Match));
        });
        app.MapPost("/api/gallery/enrol", async (HttpRequest request) =>
        {
            Authorize(request);
            var image = (await ImageRequests.FromForm(request, limits, preprocessing, "image"))[0];
            string name = FormName(request);
            string source = request.Form.Files.GetFile("image")?.FileName is { Length: > 0 } f ? Path.GetFileName(f) : "upload";
            var summary = service.Enrol(name, [image], [source]);
            return Results.Json(new IdentityReply(summary.Name, summary.Embeddings, summary.FirstAddedUtc, summary.LastAddedUtc));
        });
        app.MapDelete("/api/gallery/identities/{name}", (HttpRequest request, string name) =>
        {
            Authorize(request);
            if (!store.Remove(name)) throw new RequestRefusedException(StatusCodes.Status404NotFound, $"the gallery has no identity '{name}'");
            return Results.Json(new RemovedReply(name));
        });
    }

    /// <summary>Whether <paramref name="request"/> carries the key: 401 without or with a wrong one, 403 when the server has none.</summary>
    void Authorize(HttpRequest request)
    {
        if (_keyHash is null)
            throw new RequestRefusedException(StatusCodes.Status403Forbidden,
                $"this server's gallery is read-only: start serve with --api-key or {ApiKeyVariable} to enrol or remove");
        string header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        bool given = header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);
        // Hashes of equal length compared in constant time: neither the key's length nor its prefix leaks through timing.
        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(given ? header[Scheme.Length..].Trim() : ""));
        if (!given || !CryptographicOperations.FixedTimeEquals(offered, _keyHash))
        {
            throw new RequestRefusedException(StatusCodes.Status401Unauthorized,
                given ? "the API key is wrong" : "this operation needs the API key: Authorization: Bearer KEY");
        }
    }

    static string FormName(HttpRequest request)
    {
        string name = request.Form["name"].ToString();
        try { FolderGalleryStore.CheckName(name); }
        catch (ArgumentException e) { throw new RequestRefusedException(StatusCodes.Status400BadRequest, e.Message); }
        return name;
    }

    static int Top(HttpRequest request)
    {
        string? text = request.Query["top"];
        if (text is null) return 5;
        return int.TryParse(text, out int top) && top is >= 1 and <= MaxTop ? top
            : throw new RequestRefusedException(StatusCodes.Status400BadRequest, $"top must be a whole number from 1 to {MaxTop}, got '{text}'");
    }

    static double? Finite(double value) => double.IsFinite(value) ? value : null;

    sealed record GalleryReply(string CheckpointSha256, double? Threshold, string ThresholdRule, string ThresholdSplit, double ThresholdFar,
        int EmbeddingWidth, bool Writable, IdentityReply[] Identities);
    sealed record IdentityReply(string Name, int Embeddings, DateTime FirstAddedUtc, DateTime LastAddedUtc);
    sealed record HitReply(string Name, double Distance, bool Match);
    sealed record IdentifyReply(string? Identity, string Label, double? Threshold, HitReply[] Nearest);
    sealed record RemovedReply(string Removed);
}
