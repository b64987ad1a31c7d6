using GpuSiamese.Data;

namespace GpuSiamese.Tests.Data;

public class DownsampleTests
{
    [Test]
    public void PoolIsTheIntegerSumOverTenTwenty()
    {
        var random = new Random(1);
        var raw = new byte[784];
        random.NextBytes(raw);
        raw[0] = raw[1] = raw[28] = raw[29] = 255;
        var out14 = new float[196];
        Downsample.Pool(raw, out14);
        for (int r = 0; r < 14; r++)
            for (int c = 0; c < 14; c++)
            {
                int sum = raw[56 * r + 2 * c] + raw[56 * r + 2 * c + 1] + raw[56 * r + 28 + 2 * c] + raw[56 * r + 29 + 2 * c];
                Assert.That(out14[14 * r + c], Is.EqualTo((float)(sum / 1020.0)));
            }
        Assert.That(out14[0], Is.EqualTo(1f));
    }

    [Test]
    public void FloatPoolAgreesWithBytePoolWithinRounding()
    {
        var random = new Random(2);
        var raw = new byte[784];
        random.NextBytes(raw);
        var fromBytes = new float[196];
        var fromFloats = new float[196];
        Downsample.Pool(raw, fromBytes);
        Downsample.Pool(raw.Select(b => b / 255f).ToArray(), fromFloats);
        Assert.That(fromFloats, Is.EqualTo(fromBytes).Within(1e-6f));
    }

    [Test]
    public void PoolAllMatchesPoolPerImage()
    {
        var random = new Random(3);
        const int count = 5000;
        var raw = new byte[count * 784];
        random.NextBytes(raw);
        var all = Downsample.PoolAll(raw, count);
        var one = new float[196];
        foreach (int i in new[] { 0, 1, 2047, 2048, 4999 })
        {
            Downsample.Pool(raw.AsSpan(i * 784, 784), one);
            Assert.That(all.AsSpan(i * 196, 196).ToArray(), Is.EqualTo(one));
        }
    }

    [Test]
    public void WrongSizesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Downsample.Pool(new byte[783], new float[196]));
        Assert.Throws<ArgumentException>(() => Downsample.Pool(new byte[784], new float[195]));
        Assert.Throws<ArgumentException>(() => Downsample.PoolAll(new byte[785], 1));
    }
}
