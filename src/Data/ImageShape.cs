namespace GpuSiamese.Data;

/// <summary>
/// The shape of one image: channels (1 grey, 3 RGB) x height x width, laid out channels last as the conv layers read
/// it: the value of channel c at row y, column x is at (y·Width + x)·Channels + c, rows top to bottom.
/// </summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Values per image: Channels·Height·Width.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>Throws unless every dimension is positive and channels are 1 or 3.</summary>
    public void Validate(string what)
    {
        if (Channels is not (1 or 3))
            throw new ArgumentException($"{what}: {Channels} channels, expected 1 (grey) or 3 (RGB)");
        if (Height < 1 || Width < 1 || (long)Height * Width * Channels > 1 << 24)
            throw new ArgumentException($"{what}: {Height}x{Width} images, expected a positive size of at most 16 M values");
    }

    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
