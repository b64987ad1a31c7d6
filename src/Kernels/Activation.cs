namespace GpuSiamese.Kernels;

/// <summary>
/// Element-wise activation: fused after a dense layer or convolution (ReLU or identity), or a layer of its own (every
/// kind). Each derivative is taken from the output y, so a backward pass needs only what the forward pass wrote.
/// </summary>
public enum Activation
{
    /// <summary>y = z.</summary>
    Identity = 0,
    /// <summary>y = max(z, 0); its derivative is taken from the output: 1 where y &gt; 0, else 0.</summary>
    Relu = 1,
    /// <summary>y = 1 / (1 + e^−z); y' = y·(1 − y).</summary>
    Sigmoid = 2,
    /// <summary>y = tanh z; y' = 1 − y².</summary>
    Tanh = 3,
}
