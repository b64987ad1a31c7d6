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
        "; f flatten (a view: dense layers after an image need it); [a,b,...] a residual block (its layers in order, their " +
        "output added to the block's input, or to a 1x1 convolution of it when the shape changes); rN and rNsS ResNet v2's " +
        "basic block [bn,relu,cNk3sSnl,bn,relu,cNk3nl] (e.g. ResNet-18 v2 at 3x64x64: 3x64x64,c64k7s2l,p3s2p1,r64,r64,r128s2," +
        "r128,r256s2,r256,r512s2,r512,bn,relu,gap,128l,sigmoid)";

    /// <summary>Parses <paramref name="text"/>; a mistake is an <see cref="ArgumentException"/> naming <c>--layers</c> and the token.</summary>
    public static NetworkConfig Parse(string text, bool reluOnOutput = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split(',', StringSplitOptions.TrimEntries);
        if (tokens.All(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return new NetworkConfig(tokens.Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray(), reluOnOutput);

        var input = ParseInput(tokens[0], text);
        var list = new LayerList(text, input);
        for (int k = 1; k < tokens.Length; k++) list.Read(tokens[k]);
        return list.Finish();
    }

    /// <summary>
    /// A layer list read token by token into a graph: layers in order, each reading the one before it, except in a
    /// residual block. <c>[</c> opens a block and <c>]</c> (at the end of its last token) closes it: its layers run in
    /// order from the block's input, and an add sums their output with a shortcut: the block's input itself when the
    /// shapes agree, else a 1×1 convolution (no bias, linear; for vectors a linear dense layer) with the stride of the
    /// block, reading the block's pre-activation (the output of the batch norms and activations it starts with: ResNet
    /// v2's shared pre-activation) and followed by a batch norm when the block ends with one (v1). <c>rN</c> and
    /// <c>rNsS</c> are ResNet v2's basic block: <c>[bn,relu,cNk3sSnl,bn,relu,cNk3nl]</c>.
    /// </summary>
    sealed class LayerList(string text, LayerShape shape)
    {
        readonly LayerShape input = shape;
        readonly List<ILayer> _layers = [];
        readonly List<int[]> _inputs = [];
        readonly List<string> _spelling = [Spell(shape)];
        LayerShape _shape = shape;
        bool _flat = shape.Height == 1 && shape.Width == 1, _graph;
        int _current = -1;
        // The open block: its input layer, the pre-activation its shortcut reads, where its layers start, its tokens.
        int _blockInput = -2, _preActivation, _blockStart;
        bool _weighted;
        List<string>? _blockSpelling;

        public void Read(string raw)
        {
            string t = raw.ToLowerInvariant();
            if (System.Text.RegularExpressions.Regex.Match(t, @"^r(\d+)(?:s(\d+))?$") is { Success: true } r)
            {
                if (_blockSpelling is not null) throw Bad(text, raw, "a residual block cannot hold another block");
                string n = r.Groups[1].Value, stride = r.Groups[2].Success ? $"s{r.Groups[2].Value}" : "";
                Open(raw);
                foreach (var inner in new[] { "bn", "relu", $"c{n}k3{stride}nl", "bn", "relu", $"c{n}k3nl" }) Layer(inner, raw, spell: false);
                Close(raw, spell: false);
                _spelling.Add(t);
                return;
            }
            bool opens = t.StartsWith('['), closes = t.EndsWith(']');
            if (opens)
            {
                if (_blockSpelling is not null) throw Bad(text, raw, "a residual block cannot hold another block");
                Open(raw);
                t = t[1..];
            }
            if (closes) t = t[..^1];
            t = t.Trim();
            if (t.Length == 0 || t.Contains('[') || t.Contains(']')) throw Bad(text, raw, "a residual block is [layer,layer,...]: '[' before its first layer, ']' after its last");
            Layer(t, raw, spell: true);
            if (closes)
            {
                if (_blockSpelling is null) throw Bad(text, raw, "']' closes no block");
                Close(raw, spell: true);
            }
        }

        void Open(string raw)
        {
            if (_flat && _shape.Height * _shape.Width > 1) throw Bad(text, raw, "a residual block reads an image or a vector, not a flattened image");
            _graph = true;
            _blockInput = _current;
            _preActivation = _current;
            _blockStart = _layers.Count;
            _weighted = false;
            _blockSpelling = [];
        }

        void Layer(string t, string raw, bool spell)
        {
            if (t == "f")
            {
                if (_blockSpelling is not null) throw Bad(text, raw, "flatten cannot be inside a residual block");
                _flat = true;
                _spelling.Add("f");
                return;
            }
            var kind = LayerKinds.Of(t)
                ?? throw Bad(text, raw, "expected a dense width such as 128 or 32l, a convolution such as c32k3, p or f");
            if (kind.NeedsImage && _flat) throw Bad(text, raw, $"a {kind.Noun} needs an image, not a flattened vector");
            if (kind.NeedsFlatInput && !_flat) throw Bad(text, raw, $"a dense layer after the {_shape} image needs 'f' (flatten) before it");
            ILayer layer;
            try
            {
                layer = kind.Parse(t, _shape);
            }
            catch (ArgumentException e) when (!e.Message.StartsWith("--layers", StringComparison.Ordinal))
            {
                throw Bad(text, raw, e.Message);
            }
            Add(layer, [_current]);
            if (_blockSpelling is not null && !_weighted)
            {
                if (layer is BatchNormLayer or ActivationLayer) _preActivation = _current;
                else _weighted = true;
            }
            if (spell) (_blockSpelling ?? _spelling).Add(layer.Token);
        }

        void Add(ILayer layer, int[] inputs)
        {
            _layers.Add(layer);
            _inputs.Add(inputs);
            _current = _layers.Count - 1;
            _shape = layer.Output;
            if (_shape.Height == 1 && _shape.Width == 1) _flat = true;
        }

        void Close(string raw, bool spell)
        {
            if (_layers.Count == _blockStart) throw Bad(text, raw, "a residual block needs at least one layer");
            int body = _current;
            var inShape = _blockInput < 0 ? input : _layers[_blockInput].Output;
            var outShape = _layers[body].Output;
            int shortcut = _blockInput;
            if (inShape != outShape)
            {
                var from = _preActivation < 0 ? input : _layers[_preActivation].Output;
                ILayer projection;
                if (outShape.Height * outShape.Width == 1 && from.Height * from.Width == 1)
                    projection = new DenseLayer(from.Size, outShape.Size, Kernels.Activation.Identity);
                else
                {
                    int stride = _layers.Skip(_blockStart).Aggregate(1, (s, l) => s * l switch { Conv2dLayer c => c.Stride, MaxPoolLayer m => m.Stride, _ => 1 });
                    projection = new Conv2dLayer(from, outShape.Channels, 1, Kernels.ConvPadding.Same, Kernels.Activation.Identity, stride, bias: false);
                    if (projection.Output != outShape)
                        throw Bad(text, raw, $"the block turns {inShape} into {outShape}, which no 1x1 stride-{stride} projection of its {from} pre-activation reaches");
                }
                Add(projection, [_preActivation]);
                shortcut = _current;
                if (_layers[body] is BatchNormLayer bn)
                {
                    Add(new BatchNormLayer(outShape, bn.Momentum, bn.Epsilon), [shortcut]);
                    shortcut = _current;
                }
            }
            Add(new AddLayer(outShape), [body, shortcut]);
            if (spell) _spelling.Add("[" + string.Join(',', _blockSpelling!) + "]");
            _blockSpelling = null;
        }

        public NetworkConfig Finish()
        {
            if (_blockSpelling is not null) throw new ArgumentException($"--layers '{text}': a residual block is not closed with ']'", nameof(text));
            if (_layers.Count == 0) throw new ArgumentException($"--layers '{text}': no layer after the input shape", nameof(text));
            if (!_flat && _layers[^1].Output.Height * _layers[^1].Output.Width > 1)
                throw new ArgumentException($"--layers '{text}': the embedding must be a vector: end with 'f' and dense layers", nameof(text));
            return _graph ? new NetworkConfig(input, _layers, _inputs, string.Join(',', _spelling)) : new NetworkConfig(input, _layers);
        }
    }

    static string Spell(LayerShape input) => input.Height == 1 && input.Width == 1 ? $"{input.Channels}" : $"{input.Channels}x{input.Height}x{input.Width}";

    /// <summary>The canonical spelling of a layer list (what <see cref="Parse"/> reads back into the same network).</summary>
    public static string Format(LayerShape input, IReadOnlyList<ILayer> layers)
    {
        var parts = new List<string> { Spell(input) };
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
