namespace GpuSiamese.Data;

/// <summary>The MNIST training split (60,000 images) and test split (10,000), pooled to 14x14.</summary>
public sealed record MnistData(ImageSet Train, ImageSet Test);
