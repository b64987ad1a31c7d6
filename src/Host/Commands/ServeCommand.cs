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

/// <summary>serve: the local web page (draw or drop two digits) and its JSON API over one model, until Ctrl+C.</summary>
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
        var gallery = OptionFactory.Int("--gallery-per-digit", 10, 0,
            "Identification gallery: MNIST training images per digit, drawn with --seed (0 = none: every answer is unknown)");
        var seed = OptionFactory.ULong("--seed", defaults.Seed, "Seed of the gallery draw");
        var data = OptionFactory.Path("--data", "Folder holding the four MNIST IDX files (for the gallery)", helpName: "DIR");
        var accelerator = OptionFactory.Choice("--accelerator", defaults.Accelerator, "Device that runs the network");
        var command = new Command("serve",
            "Serve a local web page to draw or drop two digits and see the distance, the verdict and the nearest gallery " +
            "digits, with a JSON API (/api/compare, /api/embed, /api/identify); Ctrl+C stops it")
        {
            model, host, port, gallery, seed, data, accelerator,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(port) > 65535) result.AddError($"--port expects a number from 0 to 65535, got {result.GetValue(port)}");
            if (result.GetValue(host) is { } h && ParseAddress(h) is null)
                result.AddError($"--host expects an IP address or localhost, got '{h}'");
        });
        command.SetAction((parse, _) => Run(parse.GetValue(model)!, ParseAddress(parse.GetValue(host)!)!, parse.GetValue(port),
            parse.GetValue(gallery), parse.GetValue(seed), parse.GetValue(data), parse.GetValue(accelerator), context));
        return command;
    }

    public static async Task<int> Run(string modelPath, IPAddress address, int port, int galleryPerDigit, ulong seed,
        string? dataDir, AcceleratorChoice accelerator, CommandContext context)
    {
        CommandContext.RequireFile(modelPath, "--model");
        var output = context.Console.Out;
        var checkpoint = CheckpointFile.LoadForInference(modelPath, null);
        var gallery = galleryPerDigit == 0
            ? new ImageSet([], [])
            : DrawGallery(Mnist.Load(dataDir, output.WriteLine).Train, galleryPerDigit, seed);
        using var matcher = new DigitMatcher(AcceleratorBackends.Create(accelerator, output.WriteLine), checkpoint, gallery);
        WebServer server;
        try
        {
            server = await WebServer.StartAsync(matcher, address, port, ServeLimits.Default, context.Cancel);
        }
        catch (IOException e)
        {
            // Kestrel's "address already in use" and its kin.
            throw new ArgumentException($"--host {address} --port {port}: cannot listen there ({UserErrors.OneLine(e)})");
        }
        await using (server)
        {
            MetricsReport.Line(output, "model", $"{checkpoint.Network}, threshold {matcher.Threshold.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}, on {matcher.Backend.Name}");
            MetricsReport.Line(output, "gallery", $"{gallery.Count} MNIST training images");
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

    static ImageSet DrawGallery(ImageSet train, int perDigit, ulong seed) =>
        train.Subset(Identification.DrawGallery(train, perDigit, RunRandomness.Recognition(seed).Gallery));

    static IPAddress? ParseAddress(string text) =>
        string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(text, out var a) ? a : null;
}
