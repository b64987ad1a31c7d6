namespace GpuSiamese.Model.Layers;

/// <summary>
/// The shape of one row of a layer's input or output: channels × height × width, stored channel-major
/// (c, then y, then x) in a row of <see cref="Size"/> floats. A dense layer's vectors are (n, 1, 1).
/// </summary>
public readonly record struct LayerShape(int Channels, int Height, int Width)
{
    /// <summary>A flat vector of <paramref name="length"/> values: (length, 1, 1).</summary>
    public static LayerShape Vector(int length) => new(length, 1, 1);

    /// <summary>Floats per row: C·H·W.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>e.g. "200" for a vector, "8x14x14" otherwise.</summary>
    public override string ToString() => Height == 1 && Width == 1 ? $"{Channels}" : $"{Channels}x{Height}x{Width}";
}
