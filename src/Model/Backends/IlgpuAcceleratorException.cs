namespace GpuSiamese.Model.Backends;

/// <summary>
/// An ILGPU accelerator that was asked for is absent or unusable here (the message says which, and what
/// was found); the host prints it and may fall back to another accelerator.
/// </summary>
public sealed class IlgpuAcceleratorException : Exception
{
    public IlgpuAcceleratorException(string message) : base(message) { }

    public IlgpuAcceleratorException(string message, Exception inner) : base(message, inner) { }
}
