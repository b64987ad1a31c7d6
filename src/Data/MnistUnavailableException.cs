namespace GpuSiamese.Data;

/// <summary>MNIST is in none of the places looked at and could not be fetched; the message says how to supply it by hand.</summary>
public sealed class MnistUnavailableException : DatasetUnavailableException
{
    public MnistUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
