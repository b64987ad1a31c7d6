namespace GpuSiamese.Model.Layers;

/// <summary>
/// The shape of one row of a layer's input or output: channels × height × width in a row of <see cref="Size"/>
/// floats, stored channels last (y, then x, then c), as the images and the conv and max-pool kernels lay them out
/// (<see cref="Kernels.Conv2dGeometry"/>). A dense layer's vectors are (n, 1, 1); a dense layer reads any row as a
/// flat vector (flatten is a view).
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
