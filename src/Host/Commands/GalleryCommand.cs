using System.CommandLine;
using System.Globalization;
using GpuSiamese.Data;
using GpuSiamese.Host.Jobs;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Output;
using GpuSiamese.Model;
using GpuSiamese.Model.Gallery;

namespace GpuSiamese.Host.Commands;

/// <summary>
/// gallery create|add|remove|list|identify|verify: a persistent gallery folder of named identities for one model
/// (<see cref="FolderGalleryStore"/>), enrolled from image files or a folder of class folders.
/// </summary>
public static class GalleryCommand
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static Command Create(CommandContext context)
    {
        var command = new Command("gallery",
            "A gallery folder of named identities for one model (it records the checkpoint's SHA-256 and refuses another model): " +
            "create it, add or remove identities, list them, identify an image (top matches, \"unknown\" when none is within the model's threshold) " +
            "or verify an image against one identity");
        command.Subcommands.Add(CreateCommand(context));
        command.Subcommands.Add(AddCommand(context));
        command.Subcommands.Add(RemoveCommand(context));
        command.Subcommands.Add(ListCommand(context));
        command.Subcommands.Add(IdentifyCommand(context));
        command.Subcommands.Add(VerifyCommand(context));
        return command;
    }

    static Option<string> Store() => OptionFactory.Path("--store", "The gallery folder", required: true, helpName: "DIR");
    static Option<string> ModelOption() => OptionFactory.Path("--model", "Checkpoint the gallery belongs to (model.ckpt of a run folder)", required: true, helpName: "CKPT");
    static Option<AcceleratorChoice> Accelerator() => OptionFactory.Choice("--accelerator", new TrainOptions().Accelerator, "Device that runs the network");

    static Command CreateCommand(CommandContext context)
    {
        var store = Store();
        var model = ModelOption();
        var command = new Command("create", "Make an empty gallery in DIR for the model: its hash, embedding width and threshold (with the FAR and split it was chosen at)") { store, model };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!;
            CommandContext.RequireFile(modelPath, "--model");
            var checkpoint = CheckpointFile.LoadForInference(modelPath, null);
            using var created = FolderGalleryStore.Create(parse.GetValue(store)!, GalleryService.ModelOf(checkpoint, FolderGalleryStore.HashOf(modelPath)));
            var output = context.Console.Out;
            MetricsReport.Line(output, "gallery", created.Folder);
            WriteModel(output, created.Model);
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command AddCommand(CommandContext context)
    {
        var store = Store();
        var model = ModelOption();
        var name = new Option<string>("--name") { Description = "Identity to add the images to (made when new)", HelpName = "NAME" };
        var folder = OptionFactory.Path("--folder", "A folder of class folders: each subfolder's images are enrolled under the subfolder's name", helpName: "DIR");
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP, GIF, WebP) to enrol under --name", Arity = ArgumentArity.ZeroOrMore };
        var invert = new InvertOptions();
        var accelerator = Accelerator();
        var command = new Command("add", "Enrol images: files under --name, or --folder's class folders each under its own name; each identity is written whole or not at all")
        {
            store, model, name, folder, images, accelerator,
        };
        invert.AddTo(command);
        command.Validators.Add(result =>
        {
            bool files = result.GetValue(images) is { Length: > 0 }, hasFolder = result.GetValue(folder) is not null;
            if (files == hasFolder) result.AddError("gallery add needs either image files with --name or --folder, not both and not neither");
            if (files && result.GetValue(name) is null) result.AddError("gallery add: image files need --name");
            if (hasFolder && result.GetValue(name) is not null) result.AddError("gallery add: --folder names each identity after its subfolder; leave out --name");
        });
        command.SetAction(parse =>
        {
            using var service = Open(parse.GetValue(store)!, parse.GetValue(model)!, parse.GetValue(accelerator), context);
            var output = context.Console.Out;
            var work = new List<(string Name, string[] Files)>();
            if (parse.GetValue(folder) is { } dir)
            {
                if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--folder: no such folder '{dir}'");
                foreach (string sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
                {
                    var files = Directory.GetFiles(sub).Where(ImageFile.HasImageExtension).Order(StringComparer.Ordinal).ToArray();
                    if (files.Length > 0) work.Add((Path.GetFileName(sub), files));
                }
                if (work.Count == 0) throw new ArgumentException($"--folder '{dir}' has no subfolder with images");
            }
            else
            {
                var files = parse.GetValue(images)!;
                foreach (string f in files) CommandContext.RequireFile(f, "image");
                work.Add((parse.GetValue(name)!, files));
            }
            var invertMode = invert.Read(parse);
            int done = 0;
            foreach (var (identity, files) in work)
            {
                var warnings = new List<string>();
                var inputs = service.Load(files, invertMode, warnings);
                foreach (string w in warnings) context.Console.Error.WriteLine($"warning: {w}");
                var summary = service.Enrol(identity, inputs, [.. files.Select(Path.GetFileName).Select(f => f!)]);
                done++;
                MetricsReport.Line(output, "enrolled", string.Create(C, $"{identity}: {files.Length} image(s), {summary.Embeddings} in all ({done}/{work.Count})"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command RemoveCommand(CommandContext context)
    {
        var store = Store();
        var name = new Argument<string>("name") { Description = "Identity to remove" };
        var command = new Command("remove", "Remove an identity and all its embeddings") { store, name };
        command.SetAction(parse =>
        {
            using var opened = FolderGalleryStore.Open(parse.GetValue(store)!);
            string identity = parse.GetValue(name)!;
            if (!opened.Remove(identity)) throw new ArgumentException($"gallery '{parse.GetValue(store)}' has no identity '{identity}'");
            MetricsReport.Line(context.Console.Out, "removed", identity);
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command ListCommand(CommandContext context)
    {
        var store = Store();
        var command = new Command("list", "List the identities: name, embeddings, when first and last added (UTC)") { store };
        command.SetAction(parse =>
        {
            using var opened = FolderGalleryStore.Open(parse.GetValue(store)!);
            var output = context.Console.Out;
            WriteModel(output, opened.Model);
            var all = opened.List();
            MetricsReport.Line(output, "identities", string.Create(C, $"{all.Count} ({all.Sum(i => i.Embeddings)} embeddings)"));
            foreach (var i in all)
                output.WriteLine(string.Create(C, $"  {i.Name}\t{i.Embeddings}\t{i.FirstAddedUtc:yyyy-MM-ddTHH:mm:ssZ}\t{i.LastAddedUtc:yyyy-MM-ddTHH:mm:ssZ}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command IdentifyCommand(CommandContext context)
    {
        var store = Store();
        var model = ModelOption();
        var image = new Argument<string>("image") { Description = "Image to identify" };
        var top = OptionFactory.Int("--top", 5, 1, "Nearest identities to show");
        var invert = new InvertOptions();
        var accelerator = Accelerator();
        var command = new Command("identify", "The identities nearest to an image (best distance per identity), and the answer: the nearest if within the threshold, else unknown")
        {
            store, model, image, top, accelerator,
        };
        invert.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(image)!;
            CommandContext.RequireFile(path, "image");
            using var service = Open(parse.GetValue(store)!, parse.GetValue(model)!, parse.GetValue(accelerator), context);
            var input = LoadOne(service, path, invert.Read(parse), context);
            var answer = service.Identify(input, parse.GetValue(top));
            var output = context.Console.Out;
            MetricsReport.Line(output, "answer", answer.Identity ?? "unknown");
            MetricsReport.Line(output, "threshold", Threshold(service.Store.Model));
            int rank = 0;
            foreach (var hit in answer.Nearest)
                output.WriteLine(string.Create(C, $"  {++rank}\t{hit.Name}\t{hit.Distance:F4}\t{(hit.Match ? "match" : "no match")}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command VerifyCommand(CommandContext context)
    {
        var store = Store();
        var model = ModelOption();
        var name = new Option<string>("--name") { Description = "Identity to verify the image against", HelpName = "NAME", Required = true };
        var image = new Argument<string>("image") { Description = "Image to verify" };
        var invert = new InvertOptions();
        var accelerator = Accelerator();
        var command = new Command("verify", "Whether an image is the named identity: its nearest distance to the identity's embeddings against the threshold")
        {
            store, model, name, image, accelerator,
        };
        invert.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(image)!;
            CommandContext.RequireFile(path, "image");
            using var service = Open(parse.GetValue(store)!, parse.GetValue(model)!, parse.GetValue(accelerator), context);
            var input = LoadOne(service, path, invert.Read(parse), context);
            string identity = parse.GetValue(name)!;
            var hit = service.Verify(input, identity) ?? throw new ArgumentException($"gallery '{parse.GetValue(store)}' has no identity '{identity}'");
            var output = context.Console.Out;
            MetricsReport.Line(output, "distance", hit.Distance.ToString("F4", C));
            MetricsReport.Line(output, "threshold", Threshold(service.Store.Model));
            MetricsReport.Line(output, "verdict", hit.Match ? $"same: {identity}" : $"not {identity}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The store of <paramref name="storePath"/> with the model of <paramref name="modelPath"/>, refused when the gallery is another model's.</summary>
    static GalleryService Open(string storePath, string modelPath, AcceleratorChoice accelerator, CommandContext context)
    {
        CommandContext.RequireFile(modelPath, "--model");
        var store = FolderGalleryStore.Open(storePath, FolderGalleryStore.HashOf(modelPath));
        try
        {
            var checkpoint = CheckpointFile.LoadForInference(modelPath, null);
            var matcher = new ImageMatcher(AcceleratorBackends.Create(accelerator, context.Console.Out.WriteLine), checkpoint,
                GpuSiamese.Model.Runs.IdentificationGallery.None(checkpoint).Images);
            return new GalleryService(matcher, store);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    static float[] LoadOne(GalleryService service, string path, InvertMode invert, CommandContext context)
    {
        var warnings = new List<string>();
        var input = service.Load([path], invert, warnings)[0];
        foreach (string w in warnings) context.Console.Error.WriteLine($"warning: {w}");
        return input;
    }

    static string Threshold(GalleryModel m) => double.IsNaN(m.Threshold)
        ? "none (the model has no threshold: every nearest identity matches)"
        : string.Create(C, $"{m.Threshold:F4} ({m.ThresholdRule})");

    static void WriteModel(TextWriter output, GalleryModel m)
    {
        MetricsReport.Line(output, "model", string.Create(C, $"checkpoint SHA-256 {m.CheckpointSha256[..16]}…, {m.EmbeddingWidth}-wide embeddings"));
        MetricsReport.Line(output, "threshold", Threshold(m));
    }
}
