namespace GpuSiamese.Kernels;

/// <summary>
/// The shape of a k×k max-pool with stride s and padding p over a batch of channels-last images, shared by every
/// backend: X [Images, Height, Width, Channels], Y [Images, OutHeight, OutWidth, Channels] with
/// OutHeight = ⌊(Height + 2p − k)/s⌋ + 1 (likewise the width: PyTorch's and ONNX's floor mode). Output pixel (oh, ow)
/// takes the maximum of input rows oh·s − p + i and columns ow·s − p + j, 0 ≤ i, j &lt; k, that lie inside the image
/// (padding never wins); its winner is the window offset i·k + j of the first maximum in that order.
/// </summary>
public readonly struct PoolGeometry
{
    public readonly int Images, Height, Width, Channels, Kernel, Stride, Pad;

    public PoolGeometry(int images, int height, int width, int channels, int kernel, int stride, int pad)
    {
        if (images < 0) throw new ArgumentOutOfRangeException(nameof(images), images, "the image count must not be negative");
        if (height < 1 || width < 1 || channels < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"{channels}x{height}x{width}: a pool's input must be at least 1x1x1");
        if (kernel < 1 || stride < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel {kernel}, stride {stride}: both must be at least 1");
        if (pad < 0 || 2 * pad > kernel)
            throw new ArgumentOutOfRangeException(nameof(pad), pad, $"the padding must be between 0 and half the kernel ({kernel / 2})");
        if (kernel > height + 2 * pad || kernel > width + 2 * pad)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"a {kernel}x{kernel} window does not fit a {height}x{width} input padded by {pad}");
        Images = images; Height = height; Width = width; Channels = channels; Kernel = kernel; Stride = stride; Pad = pad;
    }

    public int OutHeight => (Height + 2 * Pad - Kernel) / Stride + 1;
    public int OutWidth => (Width + 2 * Pad - Kernel) / Stride + 1;

    /// <summary>Floats of one input image.</summary>
    public int InSize => Height * Width * Channels;
    /// <summary>Floats of one output image (and winners of one image).</summary>
    public int OutSize => OutHeight * OutWidth * Channels;

    public PoolGeometry WithImages(int images) => new(images, Height, Width, Channels, Kernel, Stride, Pad);

    public override string ToString() => $"{Images}x{Height}x{Width}x{Channels} pool k{Kernel} s{Stride} p{Pad}";
}
