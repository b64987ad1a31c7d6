namespace GpuSiamese.Host.Options;

/// <summary><c>plot-loss</c>: the bounded contrastive loss against E_w for several Q.</summary>
public sealed record PlotLossOptions(double[] Qs, double MaxDistance, string OutPath, int Width, int Height);
