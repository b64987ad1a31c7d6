using System.CommandLine;
using GpuSiamese.Host.Options;
using GpuSiamese.Host.Output;
using GpuSiamese.Model;
using GpuSiamese.Model.Interchange;

namespace GpuSiamese.Host.Commands;

/// <summary>export: a checkpoint's embedding network (or its whole pair graph) as an ONNX file.</summary>
public static class ExportCommand
{
    public static Command Create(CommandContext context)
    {
        var model = OptionFactory.Path("--model", "Checkpoint to export (model.ckpt of a run folder)", required: true, helpName: "CKPT");
        var output = OptionFactory.Path("--out", "ONNX file to write", required: true, helpName: "FILE");
        var pair = OptionFactory.Flag("--pair",
            $"Export the whole pair ({OnnxExport.FirstImageInput}, {OnnxExport.SecondImageInput} -> {OnnxExport.DistanceOutput}) " +
            $"instead of the embedding network ({OnnxExport.ImageInput} -> {OnnxExport.EmbeddingOutput})");
        var command = new Command("export",
            $"Write the model as ONNX (IR {OnnxExport.IrVersion}, opset {OnnxExport.Opset}) with a dynamic batch dimension; " +
            "the input shape is the model's own (channels, size); the preprocessing an image needs and the class names are in the file's metadata")
        {
            model, output, pair,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(pair), context));
        return command;
    }

    public static int Run(string modelPath, string outputPath, bool pair, CommandContext context)
    {
        CommandContext.RequireFile(modelPath, "--model");
        if (Directory.Exists(outputPath))
            throw new ArgumentException($"--out '{outputPath}' is a folder; expected a file name such as model.onnx");
        var checkpoint = CheckpointFile.LoadForInference(modelPath, null);
        var graph = pair ? OnnxExport.Pair(checkpoint) : OnnxExport.Embedding(checkpoint);
        byte[] bytes = OnnxExport.ToBytes(graph);
        AtomicFile.Write(outputPath, temporary => File.WriteAllBytes(temporary, bytes));
        var output = context.Console.Out;
        MetricsReport.Line(output, "network", checkpoint.Network.ToString());
        string dims = string.Join(',', OnnxExport.InputDimensions(checkpoint));
        MetricsReport.Line(output, "inputs", string.Join(", ", graph.Graph.Input.Select(i => $"{i.Name} [batch,{dims}]")));
        MetricsReport.Line(output, "preprocessing", checkpoint.Preprocessing.Describe());
        var names = checkpoint.ClassNames;
        MetricsReport.Line(output, "classes", $"{names.Count}: {string.Join(", ", names.Take(10))}{(names.Count > 10 ? ", …" : "")}");
        MetricsReport.Line(output, "output", pair
            ? $"{OnnxExport.DistanceOutput} [batch]"
            : $"{OnnxExport.EmbeddingOutput} [batch,{checkpoint.Network.OutputWidth}]");
        MetricsReport.Line(output, "onnx", $"IR {OnnxExport.IrVersion}, opset {OnnxExport.Opset}, {bytes.Length:N0} bytes");
        MetricsReport.Line(output, "written", outputPath);
        return ExitCodes.Ok;
    }
}
