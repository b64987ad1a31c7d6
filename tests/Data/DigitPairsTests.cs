using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class DigitPairsTests
{
    [Test]
    public void ListsThe45PairsAndIndexOfInvertsIt()
    {
        Assert.That(DigitPairs.All, Has.Count.EqualTo(45));
        for (int i = 0; i < 45; i++)
        {
            var (a, b) = DigitPairs.All[i];
            Assert.That(a, Is.LessThan(b));
            Assert.That(DigitPairs.IndexOf(a, b), Is.EqualTo(i));
            Assert.That(DigitPairs.IndexOf(b, a), Is.EqualTo(i));
        }
        Assert.Throws<ArgumentException>(() => DigitPairs.IndexOf(3, 3));
        Assert.Throws<ArgumentException>(() => DigitPairs.IndexOf(3, 10));
    }
}
