using GpuSiamese.Data;
using Microsoft.AspNetCore.Http;

namespace GpuSiamese.Host.Serve;

/// <summary>
/// Images out of HTTP requests, preprocessed as <c>compare</c> does (the model's <see cref="Preprocessing"/>, through
/// <see cref="Preprocessing.ReadInput"/>): a multipart form field holding an image file, or a whole body of type image/*. Whatever a client can get wrong is a
/// <see cref="RequestRefusedException"/> with the status to answer and one line saying why.
/// </summary>
public static class ImageRequests
{
    static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/bmp", "image/gif", "image/webp"];

    /// <summary>The named fields of a multipart/form-data body, each an image, preprocessed.</summary>
    public static async Task<float[][]> FromForm(HttpRequest request, ServeLimits limits, Preprocessing preprocessing, params string[] fields)
    {
        if (!request.HasFormContentType || !IsMultipart(request.ContentType))
            throw new RequestRefusedException(StatusCodes.Status415UnsupportedMediaType,
                $"expected a multipart/form-data body with the image fields {string.Join(" and ", fields)}, got {Spell(request.ContentType)}");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException
                                  && !request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Multipart parsing: a cut-off body, a missing boundary, more data than the form limits allow.
            throw new RequestRefusedException(StatusCodes.Status400BadRequest, $"malformed multipart body: {OneLine(e.Message)}");
        }
        var images = new float[fields.Length][];
        for (int i = 0; i < fields.Length; i++)
        {
            var file = form.Files.GetFile(fields[i])
                ?? throw new RequestRefusedException(StatusCodes.Status400BadRequest,
                    $"the form has no image file named '{fields[i]}' (expected fields {string.Join(", ", fields)})");
            if (file.Length > limits.MaxImageBytes)
                throw new RequestRefusedException(StatusCodes.Status413PayloadTooLarge,
                    $"image '{fields[i]}' has {file.Length:N0} bytes, more than the {limits.MaxImageBytes:N0} accepted");
            var bytes = new byte[file.Length];
            await using (var stream = file.OpenReadStream())
                await stream.ReadExactlyAsync(bytes, request.HttpContext.RequestAborted);
            images[i] = Preprocess(bytes, $"image '{fields[i]}'", limits, preprocessing);
        }
        return images;
    }

    /// <summary>One image: the field <paramref name="field"/> of a multipart form, or a body of type image/*.</summary>
    public static async Task<float[]> One(HttpRequest request, ServeLimits limits, Preprocessing preprocessing, string field)
    {
        if (IsMultipart(request.ContentType))
            return (await FromForm(request, limits, preprocessing, field))[0];
        string? type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (type is null || !ImageTypes.Contains(type))
            throw new RequestRefusedException(StatusCodes.Status415UnsupportedMediaType,
                $"expected a body of type {string.Join(", ", ImageTypes)} or multipart/form-data with an image field '{field}', got {Spell(request.ContentType)}");
        if (request.ContentLength > limits.MaxImageBytes)
            throw new RequestRefusedException(StatusCodes.Status413PayloadTooLarge,
                $"the image has {request.ContentLength:N0} bytes, more than the {limits.MaxImageBytes:N0} accepted");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limits.MaxImageBytes)
                throw new RequestRefusedException(StatusCodes.Status413PayloadTooLarge,
                    $"the image has more than the {limits.MaxImageBytes:N0} bytes accepted");
            buffer.Write(chunk, 0, read);
        }
        return Preprocess(buffer.ToArray(), "the image", limits, preprocessing);
    }

    /// <summary>
    /// The model's preprocessing; an image it cannot read, or one with nothing to compare (for a digit model
    /// <see cref="DigitImage"/>'s "no digit" rules, e.g. an empty drawing; for a model of whole images a blank one), is
    /// refused with 422.
    /// </summary>
    static float[] Preprocess(byte[] bytes, string name, ServeLimits limits, Preprocessing preprocessing)
    {
        try
        {
            // The hardening rule refuses an image with nothing to compare (a blank drawing) here, as compare does.
            return preprocessing.ReadInput(bytes, name, limits.MaxImagePixels, warnings: null);
        }
        catch (InvalidDataException e)
        {
            throw new RequestRefusedException(StatusCodes.Status422UnprocessableEntity, OneLine(e.Message));
        }
    }

    static bool IsMultipart(string? contentType) =>
        contentType is not null && contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    static string Spell(string? contentType) => string.IsNullOrEmpty(contentType) ? "no content type" : $"'{OneLine(contentType)}'";

    static string OneLine(string text)
    {
        int newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }
}

/// <summary>A request the server refuses: <see cref="StatusCode"/> (4xx) and a one-line reason.</summary>
public sealed class RequestRefusedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>How much one request may ask of the server.</summary>
public sealed record ServeLimits(long MaxBodyBytes, long MaxImageBytes, long MaxImagePixels)
{
    /// <summary>4 MiB bodies, 2 MiB and 4 megapixels an image: a drawing is a few KiB, a phone photo fits.</summary>
    public static ServeLimits Default { get; } = new(4L << 20, 2L << 20, 4_000_000);
}
