namespace GpuSiamese.Kernels.Ilgpu;

/// <summary>
/// Four consecutive floats read with one view access: ILGPU's CPU accelerator pays per access, so the
/// CPU dense kernels read rows through a Float4 view of the same memory when the widths allow it.
/// </summary>
public struct Float4
{
    public float X, Y, Z, W;
}
