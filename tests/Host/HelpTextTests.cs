using GpuSiamese.Host;

namespace GpuSiamese.Tests.Host;

public class HelpTextTests
{
    [TestCase("x [default: Adam]", "x [default: adam]")]
    [TestCase("x [default: 196|200|10]", "x [default: 196,200,10]")]
    [TestCase("x [default: 1E-07]", "x [default: 1e-7]")]
    [TestCase("x [default: 1E+20]", "x [default: 1e+20]")]
    [TestCase("Adam, not a default [default: 0.01]", "Adam, not a default [default: 0.01]")]
    public void Defaults_are_respelled_and_nothing_else(string help, string expected) =>
        Assert.That(HelpText.SpellDefaults(help), Is.EqualTo(expected));
}
