namespace GpuSiamese.Kernels;

/// <summary>How a convolution pads its input: <c>Valid</c> none, <c>Same</c> (k−1)/2 on every side (odd k only).</summary>
public enum ConvPadding
{
    Valid = 0,
    Same = 1,
}

/// <summary>
/// The shape of a k×k, stride-1 convolution over a batch, shared by every backend. Layouts (channels last,
/// chosen so that each of the three passes is one dense product with the bias and activation fused per
/// column, and flatten is a view):
/// X [Images, Height, Width, InChannels], Y [Images, OutHeight, OutWidth, OutChannels],
/// W [Kernel, Kernel, InChannels, OutChannels] (= a dense W of [Kernel·Kernel·InChannels, OutChannels]),
/// b [OutChannels]. Output size: OutHeight = Height + 2·Pad − Kernel + 1 (likewise OutWidth).
/// </summary>
public readonly struct Conv2dGeometry
{
    public readonly int Images, Height, Width, InChannels, OutChannels, Kernel, Pad;

    public Conv2dGeometry(int images, int height, int width, int inChannels, int outChannels, int kernel, ConvPadding padding)
    {
        if (images < 0) throw new ArgumentOutOfRangeException(nameof(images), images, "the image count must not be negative");
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"{height}x{width}: a convolution's input must be at least 1x1");
        if (inChannels < 1 || outChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"{inChannels}→{outChannels}: channels must be at least 1");
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "the kernel size must be at least 1");
        if (padding == ConvPadding.Same && kernel % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "'same' padding needs an odd kernel size");
        Images = images; Height = height; Width = width; InChannels = inChannels; OutChannels = outChannels; Kernel = kernel;
        Pad = padding == ConvPadding.Same ? (kernel - 1) / 2 : 0;
        if (OutHeight < 1 || OutWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"a {kernel}x{kernel} 'valid' convolution does not fit a {height}x{width} input");
    }

    public int OutHeight => Height + 2 * Pad - Kernel + 1;
    public int OutWidth => Width + 2 * Pad - Kernel + 1;

    /// <summary>Floats of one input image: Height·Width·InChannels.</summary>
    public int InSize => Height * Width * InChannels;
    /// <summary>Floats of one output image: OutHeight·OutWidth·OutChannels.</summary>
    public int OutSize => OutHeight * OutWidth * OutChannels;
    /// <summary>Inputs of one output value (the fan-in): Kernel·Kernel·InChannels, the rows of W.</summary>
    public int PatchSize => Kernel * Kernel * InChannels;
    /// <summary>Floats of W.</summary>
    public int WeightCount => PatchSize * OutChannels;
    /// <summary>Output pixels of the batch: Images·OutHeight·OutWidth (the rows of the dense products).</summary>
    public int OutPixels => Images * OutHeight * OutWidth;

    /// <summary>Multiply-adds of one pass over the batch (each of forward, backward data and backward weights).</summary>
    public long MultiplyAdds => (long)OutPixels * PatchSize * OutChannels;

    /// <summary>The same convolution over another number of images.</summary>
    public Conv2dGeometry WithImages(int images) => new(images, Height, Width, InChannels, OutChannels, Kernel, Padding);

    /// <summary>The padding it was made with (for k = 1 both paddings are the same: none).</summary>
    public ConvPadding Padding => Pad == 0 && Kernel > 1 ? ConvPadding.Valid : ConvPadding.Same;

    public override string ToString() =>
        $"{Images}x{Height}x{Width}x{InChannels} k{Kernel} pad {Pad} -> {OutChannels}";
}
