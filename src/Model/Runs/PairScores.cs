namespace GpuSiamese.Model.Runs;

/// <summary>The two images (196 floats in [0,1] each, 14x14) of one pair.</summary>
public readonly record struct PairImages(float[] Left, float[] Right);

/// <summary>
/// Distances and labels (0 = same class) of a scored pair set; <see cref="Images"/>, when present, gives a pair's images
/// by index so that the worst errors can be drawn.
/// </summary>
public sealed record PairScores(float[] Distances, int[] Labels, Func<int, PairImages>? Images);
