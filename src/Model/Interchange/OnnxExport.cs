using System.Globalization;
using Google.Protobuf;
using GpuSiamese.Data;
using GpuSiamese.Kernels;
using GpuSiamese.Model.Layers;
using Onnx;

namespace GpuSiamese.Model.Interchange;

/// <summary>
/// A saved model as an ONNX graph (IR version <see cref="IrVersion"/>, default-domain opset <see cref="Opset"/>: what
/// ONNX Runtime 1.31 and ONNX 1.12's checker both accept). The graph is a walk over the network's layers, each
/// layer kind writing its own nodes (dense: Gemm; conv: Conv with its weights reordered to ONNX's [outC, inC, k, k];
/// max-pool: MaxPool; then Relu where the layer has it), so that a new kind is one more case there. Images are NCHW
/// inside the graph, as ONNX's operators want; where our network flattens an image it is transposed to our
/// channels-last order first, so every dense weight is used exactly as trained.
/// The input shape is the model's own (<see cref="Checkpoint.Preprocessing"/>: channels C, 1 grey or 3 RGB, height H, width W):
/// <list type="bullet">
/// <item><see cref="Embedding"/>: <c>image</c> float32 [batch, C, H, W] → <c>embedding</c> float32 [batch, D], G(x).</item>
/// <item><see cref="Pair"/>: <c>image_a</c>, <c>image_b</c> (each [batch, C, H, W]) → <c>distance</c> [batch],
/// E = sqrt(max(Σ_k (G(a)_k − G(b)_k)², eps)), both sides through the same weights.</item>
/// </list>
/// The preprocessing an image needs before it is fed (size, resize filter, channels, scale, inversion, centring), the
/// class names, and the model's threshold and epsilon are in the model's metadata properties (<see cref="Metadata"/>).
/// </summary>
public static class OnnxExport
{
    /// <summary>IR version 8: the newest that ONNX 1.12's checker (Debian bookworm's python3-onnx) knows.</summary>
    public const long IrVersion = 8;
    /// <summary>Opset 17: the newest ONNX 1.12 knows; ReduceSum takes its axes as an input since 13.</summary>
    public const long Opset = 17;

    public const string ImageInput = "image";
    public const string EmbeddingOutput = "embedding";
    public const string FirstImageInput = "image_a";
    public const string SecondImageInput = "image_b";
    public const string DistanceOutput = "distance";
    /// <summary>The symbolic batch dimension of every input and output.</summary>
    public const string BatchDimension = "batch";

    const int FloatType = OnnxProtos.FloatType;

    /// <summary>The embedding network G alone.</summary>
    public static ModelProto Embedding(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var graph = NewGraph("gpusiamese_embedding", checkpoint);
        graph.Input.Add(ImageValue(ImageInput, checkpoint));
        string output = EmitNetwork(graph, checkpoint, ImageInput, prefix: "", addWeights: true);
        graph.Node.Add(OnnxProtos.Node("Identity", "embedding_out", [output], [EmbeddingOutput]));
        graph.Output.Add(Value(EmbeddingOutput, [Batch(), Fixed(checkpoint.Network.OutputWidth)]));
        return NewModel(graph, checkpoint, "embedding");
    }

    /// <summary>The whole pair: two images in, their distance out.</summary>
    public static ModelProto Pair(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var graph = NewGraph("gpusiamese_pair", checkpoint);
        graph.Input.Add(ImageValue(FirstImageInput, checkpoint));
        graph.Input.Add(ImageValue(SecondImageInput, checkpoint));
        string a = EmitNetwork(graph, checkpoint, FirstImageInput, prefix: "a/", addWeights: true);
        string b = EmitNetwork(graph, checkpoint, SecondImageInput, prefix: "b/", addWeights: false);

        graph.Initializer.Add(OnnxProtos.Int64Tensor("distance/axes", [1]));
        graph.Initializer.Add(OnnxProtos.FloatTensor("distance/eps", [], [(float)checkpoint.Training.DistanceEpsilon]));
        graph.Node.Add(OnnxProtos.Node("Sub", "distance/sub", [a, b], ["distance/diff"]));
        graph.Node.Add(OnnxProtos.Node("Mul", "distance/square", ["distance/diff", "distance/diff"], ["distance/squares"]));
        graph.Node.Add(OnnxProtos.Node("ReduceSum", "distance/sum", ["distance/squares", "distance/axes"], ["distance/sum"],
            OnnxProtos.Int("keepdims", 0)));
        graph.Node.Add(OnnxProtos.Node("Max", "distance/clamp", ["distance/sum", "distance/eps"], ["distance/clamped"]));
        graph.Node.Add(OnnxProtos.Node("Sqrt", "distance/sqrt", ["distance/clamped"], [DistanceOutput]));
        graph.Output.Add(Value(DistanceOutput, [Batch()]));
        return NewModel(graph, checkpoint, "pair");
    }

    /// <summary>The serialized file.</summary>
    public static byte[] ToBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ToByteArray();
    }

    /// <summary>The graph's image input shape, NCHW without the batch: [C, H, W] of the model's preprocessing.</summary>
    public static long[] InputDimensions(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var input = checkpoint.Preprocessing.Input;
        return [input.Channels, input.Height, input.Width];
    }

    /// <summary>
    /// What a caller must do to an image before feeding it, the classes the model knows, and the figures that turn a
    /// distance into a verdict; all taken from the checkpoint. The keys are stable (documented in the README);
    /// <c>gpusiamese.classes</c> is a JSON array of the class names in label order.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Metadata(Checkpoint checkpoint, string graphKind)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var c = CultureInfo.InvariantCulture;
        var p = checkpoint.Preprocessing;
        var input = p.Input;
        var stored = p.Stored;
        string noun = checkpoint.ClassNoun;
        return
        [
            new("gpusiamese.graph", graphKind),
            new("gpusiamese.network", checkpoint.Network.ToString()),
            new("gpusiamese.dataset", checkpoint.Training.Dataset),
            new("gpusiamese.classes", System.Text.Json.JsonSerializer.Serialize(checkpoint.ClassNames)),
            new("gpusiamese.preprocessing", p.Describe()),
            new("preprocessing.size", $"{input.Height}x{input.Width}"),
            new("preprocessing.layout", $"NCHW float32 [batch, {input.Channels}, {input.Height}, {input.Width}]"),
            new("preprocessing.channels", input.Channels == 1
                ? "1 (grey; colour images are converted with luminance 0.299 R + 0.587 G + 0.114 B, transparency on white)"
                : p.Fit == ImageFit.Digit
                    ? "3 (R, G, B, each the grey digit: luminance 0.299 R + 0.587 G + 0.114 B, transparency on white)"
                    : "3 (R, G, B in that order; transparency composited on white)"),
            new("preprocessing.fit", p.Fit == ImageFit.Digit
                ? "digit: ink cropped, fitted into 20x20 keeping the aspect ratio, centred by mass in 28x28"
                : "stretch: the whole image resized to the stored size, aspect ratio not kept (as torchvision's Resize((h, w)))"),
            new("preprocessing.resize", p.Pool == 2
                ? $"area filter (each output pixel the mean of the source pixels it covers, weighted by overlap) to {stored.Height}x{stored.Width}, " +
                  $"rounded to bytes, then an exact 2x2 mean pool to {input.Height}x{input.Width}"
                : $"area filter (each output pixel the mean of the source pixels it covers, weighted by overlap) to {stored.Height}x{stored.Width}, rounded to bytes"),
            new("preprocessing.scale", p.Pool == 2
                ? "sum of the 2x2 stored bytes / 1020 (their mean / 255), so 0 = black and 1 = white; no mean or deviation is subtracted"
                : "byte / 255, so 0 = black and 1 = white; no mean or deviation is subtracted"),
            new("preprocessing.inversion", p.Invert switch
            {
                InvertMode.Invert => "always inverted (v -> 1 - v)",
                InvertMode.NoInvert => "none: pixels are used as they are",
                _ => p.Fit == ImageFit.Digit
                    ? "white ink on a black background, as MNIST; dark-on-light images are inverted (auto: when the border's median grey is nearer the brightest pixel than the darkest)"
                    : "auto: inverted when the border's median grey is nearer the brightest pixel than the darkest (a light background)",
            }),
            new("preprocessing.steps", Steps(p)),
            new("distance.formula", "sqrt(max(sum_k (embedding_a[k] - embedding_b[k])^2, epsilon))"),
            new("distance.epsilon", checkpoint.Training.DistanceEpsilon.ToString("R", c)),
            new("verdict.threshold", double.IsNaN(checkpoint.Threshold) ? "none" : checkpoint.Threshold.ToString("R", c)),
            new("verdict.threshold_far", checkpoint.Training.Far > 0 ? checkpoint.Training.Far.ToString("R", c) : "none (Youden point)"),
            new("verdict.threshold_split", "validation"),
            new("verdict.rule", $"same {noun} when distance <= verdict.threshold"),
        ];
    }

    /// <summary>The whole preprocessing in order, one line.</summary>
    static string Steps(Preprocessing p)
    {
        var input = p.Input;
        var stored = p.Stored;
        string colour = input.Channels == 1 || p.Fit == ImageFit.Digit ? "grey" : "RGB";
        string invert = p.Invert switch
        {
            InvertMode.Invert => "invert; ",
            InvertMode.NoInvert => "",
            _ => p.Fit == ImageFit.Digit ? "invert if dark on light; " : "invert if the background is light; ",
        };
        string shape = p.Fit == ImageFit.Digit
            ? "stretch contrast from the background to the brightest ink; crop to the ink; fit into 20x20 keeping the aspect ratio; " +
              "place in 28x28 with the centre of mass at the centre; " +
              (stored.Height == 28 && stored.Width == 28 ? "" : $"area-resize to {stored.Height}x{stored.Width}{(input.Channels == 3 ? ", grey copied to R, G and B" : "")}; ")
            : $"area-resize the whole image to {stored.Height}x{stored.Width}; ";
        string pool = p.Pool == 2 ? $"mean-pool 2x2 to {input.Height}x{input.Width}; " : "";
        return $"{colour}; {invert}{shape}round to bytes; {pool}divide by 255; NCHW";
    }

    static GraphProto NewGraph(string name, Checkpoint checkpoint) => new()
    {
        Name = name,
        DocString = $"GpuSiamese base network {checkpoint.Network}",
    };

    static ModelProto NewModel(GraphProto graph, Checkpoint checkpoint, string graphKind)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "gpusiamese",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0",
            ModelVersion = 1,
            DocString = "Siamese embedding network of GpuSiamese; see metadata_props for the preprocessing",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in Metadata(checkpoint, graphKind))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>
    /// The layers of G from <paramref name="input"/> ([batch, C, H, W]); returns the name of the embedding. Node and
    /// intermediate names carry <paramref name="prefix"/>; the weights are one set of initializers, added by the first
    /// call (<paramref name="addWeights"/>) and shared by every later one. Each layer writes its own nodes
    /// (<see cref="ILayer.EmitOnnx"/>) over the values of the layers it reads. Images stay NCHW between the layers that
    /// read images, as ONNX's operators want them; where a layer reads an image as a vector (a dense layer after an
    /// image, or an image-shaped embedding) the graph transposes NCHW to NHWC before Flatten, because our flatten is over
    /// channels-last rows: (y, x, c) order.
    /// </summary>
    static string EmitNetwork(GraphProto graph, Checkpoint checkpoint, string input, string prefix, bool addWeights)
    {
        var config = checkpoint.Network;
        var walk = new Walk(graph, prefix, addWeights);
        // What the graph's input holds (NCHW of the model's preprocessing); a layer list over another view of the same
        // values (e.g. 4x7x7 of MNIST's 196, channels last) reshapes it first.
        var fed = checkpoint.Preprocessing.Input;
        var fedShape = new LayerShape(fed.Channels, fed.Height, fed.Width);
        var image = new OnnxValue(input, OnnxLayout.Image, fedShape);
        if (config.Input.Height * config.Input.Width > 1 && config.Input != fedShape)
            image = new OnnxValue(walk.Reshape(input, fedShape, config.Input), OnnxLayout.Image, config.Input);
        var values = new OnnxValue[config.LayerCount];
        for (int l = 0; l < config.LayerCount; l++)
        {
            var layer = config.Layers[l];
            var inputs = config.InputsOf(l).Select(s => walk.As(s < 0 ? image : values[s], layer)).ToArray();
            var writer = new OnnxLayerWriter(graph, l, prefix, addWeights, checkpoint.Parameters, config.LayerOffset(l),
                checkpoint.State, config.StateOffset(l));
            values[l] = layer.EmitOnnx(writer, inputs);
        }
        var last = values[^1];
        return last.Layout == OnnxLayout.Image ? walk.Flatten(last.Name, last.Shape) : last.Name;
    }

    /// <summary>The walker's own nodes: the input's reshape, and the flattening of an image for a layer that reads vectors.</summary>
    sealed class Walk(GraphProto graph, string prefix, bool addWeights)
    {
        int _flattens;

        /// <summary><paramref name="value"/> as <paramref name="layer"/> reads it: flattened when it reads a vector.</summary>
        public OnnxValue As(OnnxValue value, ILayer layer)
        {
            bool wantsVector = layer.ReadsVectors && layer.Input.Height * layer.Input.Width == 1;
            if (value.Layout == OnnxLayout.Image && wantsVector)
                return new OnnxValue(Flatten(value.Name, value.Shape), OnnxLayout.Vector, LayerShape.Vector(value.Shape.Size));
            if (value.Layout == OnnxLayout.Vector && !wantsVector)
                throw new NotSupportedException($"no ONNX form for {layer} over a flattened vector");
            return value;
        }

        /// <summary>
        /// [batch, C, H, W] → [batch, H·W·C] in our (y, x, c) order: Transpose to NHWC, then Flatten (a single channel
        /// needs no transpose: NCHW and NHWC are the same bytes).
        /// </summary>
        public string Flatten(string x, LayerShape shape)
        {
            string name = $"{prefix}flatten{_flattens++}";
            if (shape.Channels > 1 && shape.Height * shape.Width > 1)
            {
                graph.Node.Add(OnnxProtos.Node("Transpose", $"{name}/nhwc", [x], [$"{name}/nhwc"], OnnxProtos.Ints("perm", [0, 2, 3, 1])));
                x = $"{name}/nhwc";
            }
            graph.Node.Add(OnnxProtos.Node("Flatten", name, [x], [name], OnnxProtos.Int("axis", 1)));
            return name;
        }

        /// <summary>
        /// NCHW [batch, C, H, W] as fed → our channels-last values [batch, H, W, C] (a Transpose, needless for one channel) →
        /// the network's view of them [batch, h, w, c] → NCHW [batch, c, h, w].
        /// </summary>
        public string Reshape(string x, LayerShape fed, LayerShape shape)
        {
            string target = "input/nhwc_shape", name = $"{prefix}input";
            if (fed.Channels > 1)
            {
                graph.Node.Add(OnnxProtos.Node("Transpose", $"{name}/fed_nhwc", [x], [$"{name}/fed_nhwc"], OnnxProtos.Ints("perm", [0, 2, 3, 1])));
                x = $"{name}/fed_nhwc";
            }
            if (addWeights) graph.Initializer.Add(OnnxProtos.Int64Tensor(target, [-1, shape.Height, shape.Width, shape.Channels]));
            graph.Node.Add(OnnxProtos.Node("Reshape", $"{name}/nhwc", [x, target], [$"{name}/nhwc"]));
            graph.Node.Add(OnnxProtos.Node("Transpose", $"{name}/nchw", [$"{name}/nhwc"], [$"{name}/nchw"], OnnxProtos.Ints("perm", [0, 3, 1, 2])));
            return $"{name}/nchw";
        }
    }

    static ValueInfoProto ImageValue(string name, Checkpoint checkpoint) =>
        Value(name, [Batch(), .. InputDimensions(checkpoint).Select(Fixed)]);

    static ValueInfoProto Value(string name, TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } },
        };
    }

    static TensorShapeProto.Types.Dimension Batch() => new() { DimParam = BatchDimension };

    static TensorShapeProto.Types.Dimension Fixed(long size) => new() { DimValue = size };
}
