using System.Globalization;
using GpuSiamese.Model.Layers;

namespace GpuSiamese.Model;

/// <summary>
/// The network as one string (the value of <c>--layers</c>), comma-separated:
/// <list type="bullet">
/// <item>only numbers, e.g. <c>196,200,10</c>: the dense widths from the input (196 wide for a 14x14 grey image) (ReLU on hidden
/// layers, the output's activation from <c>--relu-output</c>/<c>--no-relu-output</c>);</item>
/// <item>otherwise a layer list starting with the input shape <c>CxHxW</c> (<c>1x14x14</c>, <c>3x32x32</c>) or a width, then
/// <c>cNkK</c> a K×K convolution to N channels with <c>same</c> padding (<c>cNkKv</c>: <c>valid</c>),
/// <c>p</c> a 2×2 max-pool, <c>f</c> flatten (a view: the dense layer after it reads the image as a vector), and
/// <c>N</c> a dense layer of N units; convolutions and dense layers are ReLU unless followed by <c>l</c> (linear).
/// The comparison network: <c>1x14x14,c32k3,p,c64k3,p,f,128,32l</c>.</item>
/// </list>
/// </summary>
public static class NetworkSpec
{
    public static readonly string Syntax =
        "196,200,10 (dense widths, the first the input) or a layer list: input CxHxW (1x14x14), then " + LayerKinds.Describe() +
        "; f flatten (a view: dense layers after an image need it)";

    /// <summary>Parses <paramref name="text"/>; a mistake is an <see cref="ArgumentException"/> naming <c>--layers</c> and the token.</summary>
    public static NetworkConfig Parse(string text, bool reluOnOutput = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split(',', StringSplitOptions.TrimEntries);
        if (tokens.All(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return new NetworkConfig(tokens.Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray(), reluOnOutput);

        var input = ParseInput(tokens[0], text);
        var layers = new List<ILayer>();
        var shape = input;
        bool flat = input.Height == 1 && input.Width == 1;
        foreach (var raw in tokens.Skip(1))
        {
            string t = raw.ToLowerInvariant();
            if (t == "f")
            {
                flat = true;
                continue;
            }
            var kind = LayerKinds.Of(t)
                ?? throw Bad(text, raw, "expected a dense width such as 128 or 32l, a convolution such as c32k3, p or f");
            if (kind.NeedsImage && flat) throw Bad(text, raw, $"a {kind.Noun} needs an image, not a flattened vector");
            if (kind.NeedsFlatInput && !flat) throw Bad(text, raw, $"a dense layer after the {shape} image needs 'f' (flatten) before it");
            try
            {
                layers.Add(kind.Parse(t, shape));
            }
            catch (ArgumentException e) when (!e.Message.StartsWith("--layers", StringComparison.Ordinal))
            {
                throw Bad(text, raw, e.Message);
            }
            shape = layers[^1].Output;
            if (shape.Height == 1 && shape.Width == 1) flat = true;
        }
        if (layers.Count == 0) throw new ArgumentException($"--layers '{text}': no layer after the input shape", nameof(text));
        if (!flat && layers[^1].Output.Height * layers[^1].Output.Width > 1)
            throw new ArgumentException($"--layers '{text}': the embedding must be a vector: end with 'f' and dense layers", nameof(text));
        return new NetworkConfig(input, layers);
    }

    /// <summary>The canonical spelling of a layer list (what <see cref="Parse"/> reads back into the same network).</summary>
    public static string Format(LayerShape input, IReadOnlyList<ILayer> layers)
    {
        var parts = new List<string> { input.Height == 1 && input.Width == 1 ? $"{input.Channels}" : $"{input.Channels}x{input.Height}x{input.Width}" };
        var shape = input;
        foreach (var layer in layers)
        {
            if (layer is { ReadsVectors: true, Input: { Height: 1, Width: 1 } } && (shape.Height > 1 || shape.Width > 1)) parts.Add("f");
            parts.Add(layer.Token);
            shape = layer.Output;
        }
        return string.Join(',', parts);
    }

    /// <summary>One layer's token: c32k3, c8k5vl, p, 128, 32l.</summary>
    public static string Token(ILayer layer) => (layer ?? throw new ArgumentNullException(nameof(layer))).Token;

    static LayerShape ParseInput(string token, string text)
    {
        var dims = token.ToLowerInvariant().Split('x');
        var values = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
            if (!int.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
                throw Bad(text, token, "the first entry is the input shape: 1x14x14 (channels x height x width) or 196");
        var shape = values.Length switch
        {
            1 => LayerShape.Vector(values[0]),
            3 => new LayerShape(values[0], values[1], values[2]),
            _ => throw Bad(text, token, "the first entry is the input shape: 1x14x14 (channels x height x width) or 196"),
        };
        return shape;
    }

    static ArgumentException Bad(string text, string token, string why) =>
        new($"--layers '{text}': '{token}': {why}", nameof(text));
}
