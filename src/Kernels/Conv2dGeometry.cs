namespace GpuSiamese.Kernels;

/// <summary>
/// How a convolution pads its input: <c>Valid</c> none; <c>Same</c> as TensorFlow and Keras define it, so that the output
/// is ⌈size / stride⌉: a total of max((out − 1)·stride + k − size, 0) zeros per axis, the odd one after the image (bottom,
/// right). With stride 1 that is (k − 1)/2 on every side (odd k only).
/// </summary>
public enum ConvPadding
{
    Valid = 0,
    Same = 1,
}

/// <summary>
/// The shape of a k×k convolution with stride s over a batch, shared by every backend. Layouts (channels last,
/// chosen so that each of the three passes is one dense product with the bias and activation fused per
/// column, and flatten is a view):
/// X [Images, Height, Width, InChannels], Y [Images, OutHeight, OutWidth, OutChannels],
/// W [Kernel, Kernel, InChannels, OutChannels] (= a dense W of [Kernel·Kernel·InChannels, OutChannels]),
/// b [OutChannels]. Output pixel (oh, ow) reads input rows oh·s − PadTop + i and columns ow·s − PadLeft + j for
/// 0 ≤ i, j &lt; k; input pixels outside the image are zero. Output size: valid ⌊(Height − k)/s⌋ + 1, same ⌈Height/s⌉.
/// </summary>
public readonly struct Conv2dGeometry
{
    public readonly int Images, Height, Width, InChannels, OutChannels, Kernel, Stride, PadTop, PadLeft;
    readonly int _outHeight, _outWidth;
    readonly int _same; // 1 for 'same' (an int: the struct travels into ILGPU kernels)

    public Conv2dGeometry(int images, int height, int width, int inChannels, int outChannels, int kernel, ConvPadding padding, int stride = 1)
    {
        if (images < 0) throw new ArgumentOutOfRangeException(nameof(images), images, "the image count must not be negative");
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"{height}x{width}: a convolution's input must be at least 1x1");
        if (inChannels < 1 || outChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), $"{inChannels}→{outChannels}: channels must be at least 1");
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "the kernel size must be at least 1");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "the stride must be at least 1");
        if (padding == ConvPadding.Same && kernel % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "'same' padding needs an odd kernel size");
        Images = images; Height = height; Width = width; InChannels = inChannels; OutChannels = outChannels; Kernel = kernel;
        Stride = stride;
        _same = padding == ConvPadding.Same ? 1 : 0;
        if (_same == 1)
        {
            _outHeight = (height + stride - 1) / stride;
            _outWidth = (width + stride - 1) / stride;
            PadTop = Math.Max((_outHeight - 1) * stride + kernel - height, 0) / 2;
            PadLeft = Math.Max((_outWidth - 1) * stride + kernel - width, 0) / 2;
        }
        else
        {
            if (kernel > height || kernel > width)
                throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"a {kernel}x{kernel} 'valid' convolution does not fit a {height}x{width} input");
            _outHeight = (height - kernel) / stride + 1;
            _outWidth = (width - kernel) / stride + 1;
            PadTop = PadLeft = 0;
        }
    }

    public int OutHeight => _outHeight;
    public int OutWidth => _outWidth;

    /// <summary>
    /// The padding on every side of a stride-1 convolution ((k − 1)/2 for same, 0 for valid), which the SIMD backend's direct
    /// kernels assume; a strided one pads <see cref="PadTop"/> and <see cref="PadLeft"/> before, the rest after.
    /// </summary>
    public int Pad => PadTop;

    /// <summary>Zeros after the last row (a strided 'same' convolution may pad one more there than before the first).</summary>
    public int PadBottom => _same == 1 ? Math.Max((OutHeight - 1) * Stride + Kernel - Height, 0) - PadTop : 0;

    /// <summary>Zeros after the last column.</summary>
    public int PadRight => _same == 1 ? Math.Max((OutWidth - 1) * Stride + Kernel - Width, 0) - PadLeft : 0;

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
    public Conv2dGeometry WithImages(int images) => new(images, Height, Width, InChannels, OutChannels, Kernel, Padding, Stride);

    /// <summary>The padding it was made with (for k = 1 both paddings are the same: none).</summary>
    public ConvPadding Padding => _same == 1 || Kernel == 1 ? ConvPadding.Same : ConvPadding.Valid;

    public override string ToString() =>
        $"{Images}x{Height}x{Width}x{InChannels} k{Kernel}{(Stride > 1 ? $" s{Stride}" : "")} pad {PadTop}{(PadBottom != PadTop || PadLeft != PadTop || PadRight != PadTop ? $",{PadLeft},{PadBottom},{PadRight}" : "")} -> {OutChannels}";
}
