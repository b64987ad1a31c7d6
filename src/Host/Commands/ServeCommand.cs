using System.CommandLine;
using System.Net;
using GpuSiamese.Data;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Output;
using GpuSiamese.Host.Serve;
using GpuSiamese.Model;
using GpuSiamese.Model.Runs;

namespace GpuSiamese.Host.Commands;

/// <summary>
/// serve: the local web page (draw or drop two images) and its JSON API over one model of any dataset and input shape,
/// until Ctrl+C. The identification gallery comes from the model's own dataset (MNIST's or Fashion-MNIST's training
/// images; for a folder, the folder the checkpoint names) or from <c>--gallery DIR</c>.
/// </summary>
public static class ServeCommand
{
    public static Command Create(CommandContext context)
    {
        var defaults = new TrainOptions();
        var model = OptionFactory.Path("--model", "Checkpoint to serve (model.ckpt of a run folder)", required: true, helpName: "CKPT");
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on; anything but a loopback address (127.0.0.1, ::1, localhost) lets other machines in",
            HelpName = "ADDRESS",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var port = OptionFactory.Int("--port", 5000, 0, "Port to listen on (0 picks a free one)");
        var gallery = OptionFactory.Int("--gallery-per-class", 10, 0,
            "Identification gallery: training images per class (fewer where a class has fewer), drawn with --seed (0 = none: every answer is unknown)");
        gallery.Aliases.Add("--gallery-per-digit");
        var seed = OptionFactory.ULong("--seed", defaults.Seed, "Seed of the gallery draw");
        var data = OptionFactory.Path("--data", "Folder holding the four MNIST IDX files (for an MNIST model's gallery)", helpName: "DIR");
        var galleryDir = OptionFactory.Path("--gallery",
            "Folder with one subfolder of images per class to identify against, read with the model's preprocessing " +
            "(default: the model's own dataset; for a model of a folder, that folder). Not for digit models, whose images are centred as MNIST's", helpName: "DIR");
        var accelerator = OptionFactory.Choice("--accelerator", defaults.Accelerator, "Device that runs the network");
        var galleryStore = OptionFactory.Path("--gallery-store",
            "A gallery folder of this model (see 'gallery create'): serve its operations too, /api/gallery (list), /api/gallery/identify, " +
            "/api/gallery/verify and, with an API key, /api/gallery/enrol and DELETE /api/gallery/identities/NAME", helpName: "DIR");
        var apiKey = new Option<string>("--api-key")
        {
            Description = $"Bearer token the gallery's write operations need (default: the {GalleryEndpoints.ApiKeyVariable} environment variable; " +
                "none = the gallery is read-only). With --gallery-store, a --host other than loopback is refused without one",
            HelpName = "KEY",
        };
        var command = new Command("serve",
            "Serve a local web page to draw or drop two images and see the distance, the verdict and the nearest gallery " +
            "images by class, with a JSON API (/api/model, /api/compare, /api/embed, /api/identify); Ctrl+C stops it")
        {
            model, host, port, gallery, galleryDir, seed, data, accelerator, galleryStore, apiKey,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(port) > 65535) result.AddError($"--port expects a number from 0 to 65535, got {result.GetValue(port)}");
            if (result.GetValue(host) is { } h && ParseAddress(h) is null)
                result.AddError($"--host expects an IP address or localhost, got '{h}'");
        });
        command.SetAction((parse, _) => Run(parse.GetValue(model)!, ParseAddress(parse.GetValue(host)!)!, parse.GetValue(port),
            parse.GetValue(gallery), parse.GetValue(seed), parse.GetValue(data), parse.GetValue(galleryDir), parse.GetValue(accelerator), context,
            parse.GetValue(galleryStore), parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(GalleryEndpoints.ApiKeyVariable)));
        return command;
    }

    public static async Task<int> Run(string modelPath, IPAddress address, int port, int galleryPerClass, ulong seed,
        string? dataDir, string? galleryDir, AcceleratorChoice accelerator, CommandContext context,
        string? galleryStore = null, string? apiKey = null)
    {
        CommandContext.RequireFile(modelPath, "--model");
        if (apiKey is { Length: 0 }) apiKey = null;
        if (galleryStore is not null && !IPAddress.IsLoopback(address) && apiKey is null)
            throw new ArgumentException($"--host {address} with --gallery-store: other machines could enrol and remove; give an API key " +
                $"(--api-key or {GalleryEndpoints.ApiKeyVariable}) or listen on 127.0.0.1");
        using var store = galleryStore is null ? null : GpuSiamese.Model.Gallery.FolderGalleryStore.Open(galleryStore,
            GpuSiamese.Model.Gallery.FolderGalleryStore.HashOf(modelPath));
        var output = context.Console.Out;
        var checkpoint = CheckpointFile.LoadForInference(modelPath, null);
        var gallery = galleryPerClass == 0
            ? IdentificationGallery.None(checkpoint)
            : IdentificationGallery.Load(checkpoint, GallerySource(modelPath, checkpoint, dataDir, galleryDir), galleryPerClass, seed, output.WriteLine);
        using var matcher = new ImageMatcher(AcceleratorBackends.Create(accelerator, output.WriteLine), checkpoint, gallery.Images, gallery.ClassNames);
        WebServer server;
        try
        {
            // The service is not disposed here: the matcher and the store are, by their own usings.
            var endpoints = store is null ? null : new GalleryEndpoints(new GpuSiamese.Model.Gallery.GalleryService(matcher, store), apiKey);
            server = await WebServer.StartAsync(matcher, address, port, ServeLimits.Default, context.Cancel, endpoints);
        }
        catch (IOException e)
        {
            // Kestrel's "address already in use" and its kin.
            throw new ArgumentException($"--host {address} --port {port}: cannot listen there ({UserErrors.OneLine(e)})");
        }
        await using (server)
        {
            MetricsReport.Line(output, "model", $"{checkpoint.Network}, threshold {matcher.Threshold.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)} ({checkpoint.Training.ThresholdRule}), on {matcher.Backend.Name}");
            MetricsReport.Line(output, "input", checkpoint.Preprocessing.Describe());
            MetricsReport.Line(output, "gallery", gallery.Images.Count == 0 ? "none (every identification is unknown)"
                : $"{gallery.Images.Count} training images of {gallery.Source}, {gallery.ClassNames.Count} classes");
            if (store is not null)
                MetricsReport.Line(output, "gallery store", $"{store.Folder}: {store.List().Count} identities, {store.Count} embeddings, " +
                    (apiKey is null ? "read-only (no API key)" : "writable with the API key"));
            if (!IPAddress.IsLoopback(address))
                MetricsReport.Line(output, "warning", $"listening on {address}: other machines can reach this page");
            MetricsReport.Line(output, "serving", $"{server.Address} (Ctrl+C stops)");
            output.Flush();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.Cancel, server.Stopping);
            try { await Task.Delay(Timeout.Infinite, either.Token); }
            catch (OperationCanceledException) { }
            await server.StopAsync();
        }
        MetricsReport.Line(output, "stopped", "served until interrupted");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Where the gallery comes from: <paramref name="galleryDir"/> when given (a folder of class folders, for a model of
    /// whole images), else the model's own dataset; a model's folder that is not here is a refusal naming the ways out.
    /// </summary>
    static IDatasetSource GallerySource(string modelPath, Checkpoint checkpoint, string? dataDir, string? galleryDir)
    {
        string dataset = checkpoint.Training.Dataset;
        if (galleryDir is not null)
        {
            if (checkpoint.Preprocessing.Fit == ImageFit.Digit)
                throw new ArgumentException($"--gallery: this model reads images as digits (centred by mass as MNIST's, {dataset}); " +
                    $"its gallery is drawn from {dataset}'s training images{(dataset == MnistSource.SourceName ? " (--data for MNIST's files)" : "")}, not from a folder");
            if (!Directory.Exists(galleryDir))
                throw new ArgumentException($"--gallery '{galleryDir}': no such folder; expected a folder with one subfolder of images per class");
            return new ImageFolder(galleryDir);
        }
        if (dataset is not (MnistSource.SourceName or FashionMnist.SourceName) && !Directory.Exists(dataset))
            throw new ArgumentException($"--model '{modelPath}': it was trained on the folder '{dataset}', which is not here; " +
                "name a folder of class folders for the gallery with --gallery DIR, or serve without one with --gallery-per-class 0");
        return DatasetShape.Source(dataset, dataDir);
    }

    static IPAddress? ParseAddress(string text) =>
        string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(text, out var a) ? a : null;
}
