namespace GpuSiamese.Data;

/// <summary>How <see cref="DigitImage"/> decides the image's polarity: MNIST digits are white ink on black.</summary>
public enum InvertMode
{
    /// <summary>
    /// Invert when the background (the median of the border pixels) lies nearer the brightest pixel than the darkest:
    /// dark ink on lighter paper, even in a dim photo.
    /// </summary>
    Auto,
    /// <summary>Always invert (dark digit on a light background).</summary>
    Invert,
    /// <summary>Never invert (already light digit on a dark background).</summary>
    NoInvert,
}
