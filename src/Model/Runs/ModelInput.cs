using GpuSiamese.Data;

namespace GpuSiamese.Model.Runs;

/// <summary>
/// An image file made the network's input the way a saved model's training images were made (its checkpoint's
/// <see cref="Preprocessing"/>): MNIST's digits through <see cref="DigitImage"/> (with its warnings about borderline images),
/// any other preprocessing through <see cref="Preprocessing.LoadInput"/>. The inversion asked for on the command line wins
/// over the model's own unless it is <see cref="InvertMode.Auto"/>.
/// </summary>
public static class ModelInput
{
    public static float[] Load(Preprocessing preprocessing, string path, InvertMode invert, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(warnings);
        var mode = invert == InvertMode.Auto ? preprocessing.Invert : invert;
        if (preprocessing with { Invert = InvertMode.Auto } == Preprocessing.MnistDefault)
        {
            var digit = DigitImage.Read(path, mode);
            warnings.AddRange(digit.Warnings);
            return digit.Image14;
        }
        return (preprocessing with { Invert = mode }).LoadInput(path);
    }
}
