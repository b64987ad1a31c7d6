namespace GpuSiamese.Kernels;

/// <summary>Element-wise activation applied after a dense layer.</summary>
public enum Activation
{
    /// <summary>y = z.</summary>
    Identity = 0,
    /// <summary>y = max(z, 0); its derivative is taken from the output: 1 where y &gt; 0, else 0.</summary>
    Relu = 1,
}
