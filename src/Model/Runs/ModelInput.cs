using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// An image file made the network's input the way a saved model's training images were made (its checkpoint's
/// <see cref="Preprocessing"/>, through <see cref="Preprocessing.ReadInput"/>, the path the web server's uploads take too):
/// digits with <see cref="DigitImage"/>'s "no digit" rules and warnings about borderline images, whole images refused only
/// when blank. The inversion asked for on the command line wins over the model's own unless it is <see cref="InvertMode.Auto"/>.
/// </summary>
public static class ModelInput
{
    public static float[] Load(Preprocessing preprocessing, string path, InvertMode invert, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(warnings);
        var mode = invert == InvertMode.Auto ? preprocessing.Invert : invert;
        return (preprocessing with { Invert = mode }).ReadInput(ImageFile.ReadFile(path), path, ImageFile.MaxPixels, warnings);
    }
}
