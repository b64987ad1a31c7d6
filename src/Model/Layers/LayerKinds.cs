namespace GpuSiamese.Model.Layers;

/// <summary>
/// How the layer syntax reads one kind's token: <see cref="Claims"/> says whether a token is this kind's (so that a
/// mistake in it is reported as this kind's), <see cref="Parse"/> makes the layer over the shape before it (throwing an
/// <see cref="ArgumentException"/> that says what was expected). <see cref="NeedsFlatInput"/>: after an image it needs
/// 'f' first (dense); <see cref="NeedsImage"/>: it cannot follow 'f' (convolutions, pools).
/// </summary>
public sealed record LayerSyntax(
    string Spelling,
    string Help,
    Func<string, bool> Claims,
    Func<string, LayerShape, ILayer> Parse,
    bool NeedsFlatInput = false,
    bool NeedsImage = false,
    string Noun = "layer");

/// <summary>
/// The table of layer kinds: each kind's syntax entry, in the order tokens are tried. A new kind is its own file
/// (the layer record with its kernels' calls, spelling, ONNX nodes and double twin) plus one line here.
/// </summary>
public static class LayerKinds
{
    public static IReadOnlyList<LayerSyntax> All { get; } =
    [
        Conv2dLayer.Syntax,
        MaxPoolLayer.Syntax,
        DenseLayer.Syntax,
        ActivationLayer.Syntax,
        GlobalAveragePoolLayer.Syntax,
        BatchNormLayer.Syntax,
    ];

    /// <summary>The kind whose token this is, or null.</summary>
    public static LayerSyntax? Of(string token) => All.FirstOrDefault(k => k.Claims(token));

    /// <summary>One line per kind: its spelling and what it is (for --help and the README).</summary>
    public static string Describe() => string.Join("; ", All.Select(k => $"{k.Spelling} {k.Help}"));
}
